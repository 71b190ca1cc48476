"""Injected faults over HTTP: each kind, how faults match, and that they are logged."""

import time
import xml.etree.ElementTree as ET

import pytest
import requests

from sandbox.control import SandboxControlError
from sandbox.faults import Fault, FaultBook, FaultError, parse_fault
from sandbox.web import Request
from tests.sandbox.conftest import SCARLETT, booking_id

LIST = "/v1/Webcam/ReceivedBookings"
DATACONTRACT = "http://schemas.datacontract.org/2004/07/"


def test_a_status_fault_answers_its_status_and_message_once(control, scarlett):
    control.add_fault(path=LIST, kind="status", status=503, message="Down for maintenance")
    faulted = scarlett.get(LIST)
    assert faulted.status_code == 503
    assert faulted.json() == {"Message": "Down for maintenance"}
    assert scarlett.get(LIST).status_code == 200


def test_a_fault_without_a_count_hits_every_matching_request(control, scarlett):
    control.add_fault(path=LIST, kind="status", status=500, times=None)
    assert [scarlett.get(LIST).status_code for _ in range(3)] == [500, 500, 500]
    control.clear_faults()
    assert scarlett.get(LIST).status_code == 200


def test_a_fault_hits_as_many_requests_as_asked(control, scarlett):
    control.add_fault(path=LIST, kind="status", status=502, times=2)
    assert [scarlett.get(LIST).status_code for _ in range(3)] == [502, 502, 200]


def test_a_fault_can_match_a_method_and_a_query_subset(control, scarlett):
    control.add_fault(path=LIST, kind="status", status=500, query={"PageNumber": "2"})
    control.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="status", method="POST")
    assert scarlett.get(LIST, PageNumber=1).status_code == 200
    assert scarlett.get(LIST, PageNumber=2).status_code == 500
    assert scarlett.get("/v1/Webcam/RejectReceivedBooking").status_code == 405
    assert scarlett.post("/v1/Webcam/RejectReceivedBooking", {}).status_code == 500


def test_a_ratelimit_fault_answers_429_with_retry_after(control, scarlett):
    control.add_fault(path=LIST, kind="ratelimit", retry_after=17)
    answer = scarlett.get(LIST)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "17"
    assert answer.json()["Message"]


def test_a_latency_fault_answers_normally_after_the_delay(control, scarlett):
    control.add_fault(path=LIST, kind="latency", delay=0.2)
    started = time.monotonic()
    answer = scarlett.get(LIST)
    assert time.monotonic() - started >= 0.2
    assert answer.status_code == 200
    assert answer.json()["WebcamBookings"]


def test_a_timed_out_action_has_not_happened(control, scarlett):
    pending = scarlett.find("webcam", "received", lambda b: b["Status"] == "Pending")
    path = "/v1/Webcam/RejectReceivedBooking"
    control.add_fault(path=path, kind="timeout", delay=5)
    with pytest.raises(requests.Timeout):
        requests.post(
            scarlett.base_url + path,
            json={"BookingID": booking_id(pending), "Reason": "Busy"},
            headers=scarlett.headers(),
            timeout=0.3,
        )
    details = scarlett.get("/v1/Webcam/ReceivedBookingDetails", BookingID=booking_id(pending))
    assert details.json()["Status"] == "Pending"
    logged = [entry for entry in control.requests() if entry["path"] == path]
    assert logged[-1]["fault"] == "timeout"


def test_an_xml_fault_answers_the_result_as_a_data_contract_document(control, scarlett):
    booking = scarlett.bookings("webcam", "received")[0]
    details = "/v1/Webcam/ReceivedBookingDetails"
    control.add_fault(path=details, kind="xml")
    answer = scarlett.get(details, BookingID=booking_id(booking))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(answer.content)
    namespace = DATACONTRACT + "API.Models.Webcam.Received"
    assert root.tag == f"{{{namespace}}}WebcamBooking"
    assert root.find(f"{{{namespace}}}WebcamBookingID").text == str(booking_id(booking))
    assert root.find(f"{{{namespace}}}Credits").text.endswith(".0000") or "." in (
        root.find(f"{{{namespace}}}Credits").text
    )
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    assert any(element.get(nil) == "true" for element in root)


def test_an_xml_fault_on_an_action_still_carries_it_out(control, scarlett):
    pending = scarlett.find("phonechat", "received", lambda b: b["Status"] == "Pending")
    control.add_fault(path="/v1/PhoneChat/RejectReceivedBooking", kind="xml")
    answer = scarlett.post(
        "/v1/PhoneChat/RejectReceivedBooking", {"BookingID": booking_id(pending), "Reason": "No"}
    )
    assert answer.headers["Content-Type"].startswith("application/xml")
    assert "<Status>Rejected</Status>" in answer.text
    details = scarlett.get("/v1/PhoneChat/ReceivedBookingDetails", BookingID=booking_id(pending))
    assert details.json()["Status"] == "Rejected"


def test_an_xml_fault_on_a_list_keeps_the_envelope(control, scarlett):
    control.add_fault(path="/v1/PhoneChat/MadeBookings", kind="xml")
    root = ET.fromstring(scarlett.get("/v1/PhoneChat/MadeBookings").content)
    namespace = DATACONTRACT + "API.Models.PhoneChat.Bookings.Made"
    assert root.tag == f"{{{namespace}}}MadeBookings"
    assert root.find(f"{{{namespace}}}PageCount").text == "1"
    bookings = root.find(f"{{{namespace}}}Bookings")
    assert bookings.findall(f"{{{namespace}}}MadeBooking")


def test_an_html_fault_answers_an_error_page_with_status_200(control, scarlett):
    control.add_fault(path=LIST, kind="html")
    answer = scarlett.get(LIST)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in answer.text


def test_a_drop_fault_closes_the_connection_unanswered(control, scarlett):
    control.add_fault(path=LIST, kind="drop")
    with pytest.raises(requests.ConnectionError):
        scarlett.get(LIST)
    assert scarlett.get(LIST).status_code == 200


def test_faults_apply_to_the_sign_in_endpoints_too(control, server):
    control.add_fault(path="/OAuth/token", kind="status", status=500)
    answer = requests.post(server.url + "/OAuth/token", data={}, timeout=5)
    assert answer.status_code == 500


def test_faulted_requests_are_logged_with_their_fault(control, scarlett):
    control.clear_requests()
    control.add_fault(path=LIST, kind="ratelimit")
    scarlett.get(LIST)
    [entry] = control.requests()
    assert (entry["path"], entry["status"], entry["fault"]) == (LIST, 429, "ratelimit")


def test_control_refuses_a_fault_it_cannot_use(control):
    with pytest.raises(SandboxControlError, match="kind"):
        control.add_fault(path=LIST, kind="gremlins")
    with pytest.raises(SandboxControlError, match="times"):
        control.add_fault(path=LIST, kind="drop", times=0)


def test_the_fault_list_shows_what_is_in_force(control):
    control.add_fault(path=LIST, kind="latency", times=None)
    [fault] = control.faults()
    assert (fault["path"], fault["kind"], fault["delay"], fault["times"]) == (
        LIST.lower(),
        "latency",
        1.0,
        None,
    )


def test_faults_match_paths_without_regard_to_case():
    fault = parse_fault({"path": "/v1/Webcam/ReceivedBookings/", "kind": "status"})
    request = Request("GET", "/V1/WEBCAM/receivedbookings", {}, {}, b"")
    book = FaultBook()
    book.add(fault)
    assert book.take(request) is fault
    assert book.take(request) is None
    assert fault.status == 500


def test_a_fault_needs_an_absolute_path():
    with pytest.raises(FaultError):
        parse_fault({"path": "v1/Webcam", "kind": "status"})
    assert isinstance(parse_fault({"path": "/x", "kind": "timeout"}), Fault)
    assert parse_fault({"path": "/x", "kind": "timeout"}).delay == 30.0
    assert SCARLETT
