"""The booking model's own parts: the payload kept as AdultWork sent it."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from bookings.models import Booking
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {"WebcamBookingID": 7, "Credits": Decimal("67.5"), "Client": {"Nickname": "Zoë"}}


def stored_text(booking: Booking) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM bookings_booking WHERE id = %s", [booking.pk])
        (text,) = cursor.fetchone()
    return text


def test_the_payload_reads_back_as_the_dict_that_was_stored():
    booking = BookingFactory(raw=PAYLOAD)
    assert Booking.objects.get(pk=booking.pk).raw == PAYLOAD


def test_the_payload_is_stored_as_compact_json_text_with_credits_as_a_number():
    text = stored_text(BookingFactory(raw=PAYLOAD))
    assert text == '{"WebcamBookingID":7,"Credits":67.5,"Client":{"Nickname":"Zoë"}}'
    assert json.loads(text)["Credits"] == 67.5


def test_whole_credits_are_stored_as_whole_numbers():
    text = stored_text(BookingFactory(raw={"Credits": Decimal("8.0000")}))
    assert text == '{"Credits":8}'
