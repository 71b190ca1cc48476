"""The REST API under /v1: routing, bearer tokens and scopes, the lists, details and group twins.

The POST actions live in `sandbox.actions` and register themselves here through `route`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox import params
from sandbox.clock import local_date
from sandbox.models import SCOPE_INFORMATION, SERVICE_SCOPES, Booking, Direction, Service, User
from sandbox.render import SHAPES
from sandbox.state import SandboxState
from sandbox.web import ApiError, Request, Response, json_response

DENIED = "Authorization has been denied for this request."
NOT_FOUND = "Booking not found."


@dataclass(slots=True)
class Call:
    """One authenticated API request."""

    state: SandboxState
    request: Request
    user: User
    scopes: tuple[str, ...]


type Handler = Callable[[Call], Response]


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    method: str
    scope: str | None
    handler: Handler


ROUTES: dict[str, Route] = {}


def route(path: str, method: str, scope: str | None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES[path.lower()] = Route(path, method, scope, handler)
        return handler

    return register


def handle(state: SandboxState, request: Request) -> Response:
    """Route, authenticate, authorise, run; refusals become `{"Message": ...}` answers."""
    found = ROUTES.get(request.route_key)
    if found is None:
        return ApiError(
            404, f"No HTTP resource was found that matches the request URI '{request.path}'."
        ).response()
    if request.method != found.method:
        response = ApiError(
            405, f"The requested resource does not support http method '{request.method}'."
        ).response()
        response.headers.append(("Allow", found.method))
        return response
    try:
        call = _authenticate(state, request)
        if found.scope is not None and found.scope not in call.scopes:
            raise ApiError(
                403, f"This request needs the {found.scope} scope, which was not granted."
            )
        return found.handler(call)
    except ApiError as error:
        return error.response()


def _authenticate(state: SandboxState, request: Request) -> Call:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, DENIED)
    access = state.valid_access_token(token.strip())
    if access is None or access.user_id not in state.users:
        raise ApiError(401, DENIED)
    return Call(state, request, state.users[access.user_id], access.scopes)


def booking_response(payload: Any, service: Service, direction: Direction) -> Response:
    _, element, namespace = SHAPES[(service, direction)]
    return json_response(200, payload, xml_root=element, xml_namespace=namespace)


# Account


@route("/v1/account/verifyCredentials", "GET", None)
def verify_credentials(call: Call) -> Response:
    user = call.user
    payload: dict[str, Any] = {"UserID": user.user_id, "Nickname": user.nickname}
    if SCOPE_INFORMATION in call.scopes:
        payload |= {
            "GroupID": user.group_id,
            "GroupName": user.group_name,
            "IsGroupManager": user.is_group_manager,
        }
    return json_response(
        200,
        payload,
        xml_root="VerifyCredentials",
        xml_namespace="http://schemas.datacontract.org/2004/07/API.Models.Account",
    )


# Lists and details


type SortKey = Callable[[Booking], tuple[object, ...]]


def _sort_key(order_by: str, direction: Direction, users: dict[int, User]) -> SortKey:
    """A total order: the named field first, the booking ID to break ties."""
    field = order_by.rsplit("-", 1)[0]

    def other_nickname(booking: Booking) -> str:
        other = booking.client_id if direction is Direction.RECEIVED else booking.performer_id
        return users[other].nickname.casefold()

    def nullable(moment: datetime | None) -> tuple[int, datetime | None]:
        # SQL Server sorts nulls lowest: first going up, last coming down.
        return (0, None) if moment is None else (1, moment)

    keys: dict[str, SortKey] = {
        "createddate": lambda b: (b.create_date, b.booking_id),
        "date": lambda b: (b.create_date, b.booking_id),
        "sessiondate": lambda b: (b.session_date, b.booking_id),
        "nickname": lambda b: (other_nickname(b), b.booking_id),
        "acceptdate": lambda b: (*nullable(b.accepted_date), b.booking_id),
    }
    return keys[field]


def _page(call: Call, owner: User, service: Service, direction: Direction) -> dict[str, Any]:
    chosen = params.list_params(call.request, service)
    state = call.state
    array_name = SHAPES[(service, direction)][0]
    with state.lock:
        bookings = state.visible_bookings(owner.user_id, service, direction)
        if chosen.start_date is not None:
            bookings = [
                b for b in bookings if local_date(b.create_date, state.zone) >= chosen.start_date
            ]
        bookings.sort(
            key=_sort_key(chosen.order_by, direction, state.users),
            reverse=chosen.order_by.endswith("-desc"),
        )
        page_count = -(-len(bookings) // chosen.per_page)
        start = (chosen.page - 1) * chosen.per_page
        view = state.view()
        items = [view.booking(b, direction) for b in bookings[start : start + chosen.per_page]]
    return {"PageCount": page_count, "PageNumber": chosen.page, array_name: items}


def _details(call: Call, owner: User, service: Service, direction: Direction) -> dict[str, Any]:
    booking_id = params.query_id(call.request, "BookingID")
    state = call.state
    with state.lock:
        booking = state.find(owner.user_id, service, direction, booking_id)
        if booking is None:
            raise ApiError(404, NOT_FOUND)
        return state.view().booking(booking, direction)


def _group_member(call: Call) -> User:
    """The member a group manager acts for; only their own group's members."""
    member_id = params.query_id(call.request, "UserID")
    manager = call.user
    member = call.state.users.get(member_id)
    if (
        not manager.is_group_manager
        or member is None
        or member.group_id is None
        or member.group_id != manager.group_id
    ):
        raise ApiError(403, "Only the manager of this user's group can see their bookings.")
    return member


def _list_route(path: str, service: Service, direction: Direction, *, group: bool) -> None:
    _, element, namespace = SHAPES[(service, direction)]

    def handler(call: Call) -> Response:
        owner = _group_member(call) if group else call.user
        payload = _page(call, owner, service, direction)
        return json_response(
            200,
            payload,
            xml_root="MadeBookings" if direction is Direction.MADE else "ReceivedBookings",
            xml_namespace=namespace,
            xml_item=element,
        )

    route(path, "GET", SERVICE_SCOPES[service])(handler)


def _details_route(path: str, service: Service, direction: Direction, *, group: bool) -> None:
    def handler(call: Call) -> Response:
        owner = _group_member(call) if group else call.user
        return booking_response(_details(call, owner, service, direction), service, direction)

    route(path, "GET", SERVICE_SCOPES[service])(handler)


WEBCAM, PHONECHAT = Service.WEBCAM, Service.PHONECHAT
RECEIVED, MADE = Direction.RECEIVED, Direction.MADE

_list_route("/v1/Webcam/ReceivedBookings", WEBCAM, RECEIVED, group=False)
_list_route("/v1/Webcam/MadeBookings", WEBCAM, MADE, group=False)
_list_route("/v1/PhoneChat/ReceivedBookings", PHONECHAT, RECEIVED, group=False)
_list_route("/v1/PhoneChat/MadeBookings", PHONECHAT, MADE, group=False)
_details_route("/v1/Webcam/ReceivedBookingDetails", WEBCAM, RECEIVED, group=False)
_details_route("/v1/Webcam/MadeBookingDetails", WEBCAM, MADE, group=False)
_details_route("/v1/PhoneChat/ReceivedBookingDetails", PHONECHAT, RECEIVED, group=False)
_details_route("/v1/PhoneChat/MadeBookingDetails", PHONECHAT, MADE, group=False)
# The group twins documented: there are no received lists among them.
_list_route("/v1/Groups/Webcam/MadeBookings", WEBCAM, MADE, group=True)
_details_route("/v1/Groups/Webcam/MadeBookingDetails", WEBCAM, MADE, group=True)
_details_route("/v1/Groups/Webcam/ReceivedBookingDetails", WEBCAM, RECEIVED, group=True)
_list_route("/v1/Groups/PhoneChat/MadeBookings", PHONECHAT, MADE, group=True)
_details_route("/v1/Groups/PhoneChat/MadeBookingDetails", PHONECHAT, MADE, group=True)
