"""Demo data: stable users and bookings placed relative to "now", the same for the same now.

Every time is a whole minute (sessions on the quarter hour) measured from now rounded down to the
minute, and every choice comes from one Random with a fixed seed, so two resets at the same
moment build the same world.
"""

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.models import Booking, Feedback, Role, Service, Status, User

SEEDS = ("demo", "empty")
RANDOM_SEED = 20180101
GROUP_ID = 501
GROUP_NAME = "Velvet Rooms"
FIRST_IDS = {Service.WEBCAM: 40001, Service.PHONECHAT: 70001}

# Credits per minute; with the durations below, some offers come out with a fraction (16.5).
RATES = (Decimal("0.8"), Decimal(1), Decimal("1.1"), Decimal("1.5"), Decimal(2))

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

REJECTED_REASONS = (
    "I have a photo-shoot at that time, can't make it. Sorry xxx",
    "I'm away that weekend, please try another date.",
    "Fully booked that evening, sorry!",
    "I only take bookings of 15 minutes or more, hope you understand.",
)
CLIENT_CANCEL_REASONS = (
    "I've had something come up",
    "Work ran late, so sorry.",
    "Need to rearrange, I will book again soon.",
)
PERFORMER_CANCEL_REASONS = (
    "I'm unwell today, sorry.",
    "My internet connection is down tonight.",
    "Double-booked by mistake, apologies.",
)
COMMENTS = (
    "Hi, I had a great time last weekend, I want to do it again tonight!",
    "First time booking, looking forward to our chat.",
    "Could we keep it relaxed and friendly?",
    None,
    None,
)


def _feedback(total: int, positive: int, neutral: int, negative: int, disputes: int) -> Feedback:
    return Feedback(
        total=total,
        positive=positive,
        neutral=neutral,
        negative=negative,
        ratings=positive + neutral + negative,
        disputes=disputes,
    )


def _performer(user_id: int, nickname: str, feedback: Feedback, **changes: Any) -> User:
    performer = User(
        user_id=user_id,
        nickname=nickname,
        password=nickname.lower(),
        role=Role.PERFORMER,
        balance=Decimal(150),
        group_id=GROUP_ID,
        group_name=GROUP_NAME,
        last_accessed_from="UK",
        sign_in_name_or_email=f"{nickname}OnSkype",
        phone_number=f"4477009001{user_id % 100:02d}",
        skype_name=f"{nickname.lower()}.live",
        feedback=feedback,
    )
    return replace(performer, **changes)


def _client(user_id: int, nickname: str, balance: int, feedback: Feedback, **extra: Any) -> User:
    return User(
        user_id=user_id,
        nickname=nickname,
        password=nickname.lower(),
        role=Role.CLIENT,
        balance=Decimal(balance),
        phone_number=f"4477009002{user_id % 100:02d}",
        feedback=feedback,
        **extra,
    )


def demo_users() -> list[User]:
    """The sandbox's people; fresh objects on every call. Passwords: the nickname lowercased."""
    return [
        _performer(
            1000,
            "VelvetRoomsDesk",
            Feedback(),
            role=Role.MANAGER,
            is_group_manager=True,
            sign_in_name_or_email="desk@velvetrooms.example",
        ),
        _performer(1001, "ScarlettRose", _feedback(64, 60, 3, 1, 0)),
        _performer(1002, "JadeMoon", _feedback(27, 25, 2, 0, 1)),
        _performer(1003, "RubyLace", _feedback(9, 8, 0, 1, 0)),
        _performer(
            1004,
            "IvyBlaze",
            _feedback(12, 11, 1, 0, 0),
            group_id=None,
            group_name=None,
            last_accessed_from="Ireland",
        ),
        _client(2001, "JosepheneBlogs", 500, _feedback(8, 7, 1, 0, 0), last_accessed_from="UK"),
        _client(
            2002,
            "BookingUser",
            250,
            _feedback(1, 1, 0, 0, 0),
            last_accessed_from="UK",
            skype_name="bookinguser.skype",
        ),
        _client(
            2003,
            "NightOwl77",
            1000,
            _feedback(42, 38, 3, 1, 1),
            last_accessed_from="Spain",
            sign_in_name_or_email="nightowl77@example.com",
            skype_name="night.owl.77",
        ),
        _client(
            2004,
            "MoonlitMarcus",
            300,
            _feedback(0, 0, 0, 0, 0),
            last_accessed_from="Germany",
            skype_name="moonlit.marcus",
        ),
        _client(
            2005,
            "GentlemanJim",
            800,
            _feedback(15, 12, 2, 1, 2),
            last_accessed_from="UK",
            sign_in_name_or_email="GentlemanJimOnSkype",
        ),
        # Short of credits, so confirming or rescheduling his bookings is refused.
        _client(
            2006,
            "PennyPincher",
            5,
            _feedback(3, 1, 0, 2, 1),
            last_accessed_from="UK",
            skype_name="penny.pincher",
        ),
    ]


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)


@dataclass(slots=True)
class Timeline:
    status: Status
    create: datetime
    session: datetime
    accept_by: datetime
    accepted: datetime | None = None
    confirmed: datetime | None = None
    cancelled: datetime | None = None
    rejected: datetime | None = None
    cancelled_by_performer: bool = False
    new_price: bool = False


class Builder:
    """Makes bookings between users, dates drawn around `base` for a named scenario."""

    def __init__(self, users: dict[int, User], base: datetime, rng: random.Random) -> None:
        self.users = users
        self.base = base
        self.rng = rng

    def minutes(self, low: int, high: int) -> timedelta:
        return self.rng.randint(low, high) * MINUTE

    def between(self, start: datetime, end: datetime) -> datetime:
        """A whole minute strictly inside (start, end) when there is room, else the middle."""
        span = int((end - start) / MINUTE)
        if span < 2:
            return start + (end - start) / 2
        return start + self.rng.randint(1, span - 1) * MINUTE

    def timeline(self, scenario: str) -> Timeline:
        return SCENARIOS[scenario](self)

    def booking(
        self, service: Service, scenario: str, client_id: int, performer_id: int
    ) -> Booking:
        when = self.timeline(scenario)
        rng = self.rng
        client, performer = self.users[client_id], self.users[performer_id]
        if service is Service.WEBCAM:
            duration = rng.choice((10, 15, 20, 30, 45, 60))
        else:
            duration = rng.choice((10, 15, 20, 30))
        offered = (Decimal(duration) * rng.choice(RATES)).quantize(Decimal("0.5"))
        credits = offered + 5 if when.new_price else offered
        booking = Booking(
            service=service,
            booking_id=0,
            client_id=client_id,
            performer_id=performer_id,
            duration=duration,
            credits=credits,
            offered_credits=offered,
            status=when.status,
            create_date=when.create,
            session_date=when.session,
            accept_by=when.accept_by,
            accepted_date=when.accepted,
            confirmed_date=when.confirmed,
        )
        _apply_outcome(booking, when, client, performer, rng)
        if service is Service.WEBCAM:
            booking.software_type_id = rng.choice((1, 2, 3, 3, 3))
            booking.sign_in_name_or_email = client.sign_in_name_or_email or (
                f"{client.nickname}OnSkype"
            )
            booking.also_phone_chat = rng.random() < 0.25
        else:
            _phone_details(booking, client, performer, rng)
        return booking


def _apply_outcome(
    booking: Booking, when: Timeline, client: User, performer: User, rng: random.Random
) -> None:
    if when.cancelled is not None:
        booking.cancelled_date = when.cancelled
        if when.cancelled_by_performer:
            booking.cancelled_by = performer.nickname
            booking.cancelled_reason = rng.choice(PERFORMER_CANCEL_REASONS)
        else:
            booking.cancelled_by = client.nickname
            booking.cancelled_reason = rng.choice(CLIENT_CANCEL_REASONS)
    if when.rejected is not None:
        booking.rejected_reason = rng.choice(REJECTED_REASONS)
    touched = [t for t in (when.accepted, when.confirmed, when.cancelled, when.rejected) if t]
    # An untouched request has never been updated; the seeds show LastUpdated null then.
    booking.last_updated = max(touched) if touched else None


def _phone_details(booking: Booking, client: User, performer: User, rng: random.Random) -> None:
    # 1: the performer calls the client's number; 2: the client calls the performer's; 3: Skype.
    booking.method = rng.choice((1, 1, 2, 3))
    if booking.method == 1:
        booking.phone_number = client.phone_number
    elif booking.method == 2:
        booking.phone_number = performer.phone_number
    else:
        booking.skype_name = client.skype_name or f"{client.nickname.lower()}.skype"
    booking.comments = rng.choice(COMMENTS)


def _pending_open(b: Builder) -> Timeline:
    accept_by = _quarter(b.base + b.minutes(60, 8 * 60))
    return Timeline(
        Status.PENDING,
        create=b.base - b.minutes(30, 36 * 60),
        accept_by=accept_by,
        session=accept_by + b.minutes(4, 192) * 15,
    )


def _pending_window_closed(b: Builder) -> Timeline:
    return Timeline(
        Status.PENDING,
        create=b.base - b.minutes(2 * 1440, 4 * 1440),
        accept_by=_quarter(b.base - b.minutes(60, 6 * 60)),
        session=_quarter(b.base + b.minutes(120, 30 * 60)),
    )


def _pending_expired(b: Builder) -> Timeline:
    session = _quarter(b.base - b.minutes(60, 48 * 60))
    accept_by = session - b.minutes(4, 48) * 15
    return Timeline(
        Status.PENDING,
        create=accept_by - b.minutes(1440, 4 * 1440),
        accept_by=accept_by,
        session=session,
    )


def _accepted(b: Builder, *, future: bool, new_price: bool = False) -> Timeline:
    if future:
        session = _quarter(b.base + b.minutes(3 * 60, 72 * 60))
        create = b.base - b.minutes(1440, 4 * 1440)
    else:
        session = _quarter(b.base - b.minutes(60, 5 * 1440))
        create = session - b.minutes(2 * 1440, 6 * 1440)
    accepted = b.between(create, min(session, b.base))
    return Timeline(
        Status.ACCEPTED,
        create=create,
        accept_by=max(session - b.minutes(4, 24) * 15, accepted),
        session=session,
        accepted=accepted,
        new_price=new_price,
    )


def _confirmed(b: Builder, *, future: bool) -> Timeline:
    when = _accepted(b, future=future)
    if not future:
        when.session = _quarter(b.base - b.minutes(120, 60 * 1440))
        when.create = when.session - b.minutes(1440, 7 * 1440)
        when.accepted = b.between(when.create, when.session)
        when.accept_by = max(when.session - HOUR, when.accepted)
    assert when.accepted is not None  # nosec B101  # type narrowing in demo data
    when.status = Status.CONFIRMED
    when.confirmed = b.between(when.accepted, min(when.session, b.base))
    return when


def _cancelled(b: Builder, *, by_performer: bool) -> Timeline:
    session = _quarter(b.base + b.minutes(-20 * 1440, 3 * 1440))
    create = min(session, b.base) - b.minutes(2 * 1440, 7 * 1440)
    end = min(session, b.base)
    accepted = b.between(create, end) if by_performer or b.rng.random() < 0.5 else None
    return Timeline(
        Status.CANCELLED,
        create=create,
        accept_by=session - HOUR,
        session=session,
        accepted=accepted,
        cancelled=b.between(accepted or create, end),
        cancelled_by_performer=by_performer,
    )


def _rejected(b: Builder) -> Timeline:
    session = _quarter(b.base + b.minutes(-30 * 1440, 2 * 1440))
    create = min(session, b.base) - b.minutes(2 * 1440, 7 * 1440)
    return Timeline(
        Status.REJECTED,
        create=create,
        accept_by=session - HOUR,
        session=session,
        rejected=b.between(create, min(session, b.base)),
    )


SCENARIOS: dict[str, Callable[[Builder], Timeline]] = {
    "pending_open": _pending_open,
    "pending_window_closed": _pending_window_closed,
    "pending_expired": _pending_expired,
    "accepted_future": lambda b: _accepted(b, future=True),
    "accepted_new_price": lambda b: _accepted(b, future=True, new_price=True),
    "accepted_past": lambda b: _accepted(b, future=False),
    "confirmed_future": lambda b: _confirmed(b, future=True),
    "confirmed_past": lambda b: _confirmed(b, future=False),
    "cancelled_by_client": lambda b: _cancelled(b, by_performer=False),
    "cancelled_by_performer": lambda b: _cancelled(b, by_performer=True),
    "rejected": _rejected,
}

# Each performer receives every scenario from clients, on both services, then a realistic tail of
# finished bookings. Expired PhoneChat requests come twice: they are the ones to re-invite.
RECEIVED_ALWAYS = (
    "pending_open",
    "pending_open",
    "pending_window_closed",
    "pending_expired",
    "accepted_future",
    "accepted_new_price",
    "accepted_past",
    "confirmed_future",
    "confirmed_past",
    "confirmed_past",
    "cancelled_by_client",
    "cancelled_by_performer",
    "rejected",
)
RECEIVED_TAIL = {
    "confirmed_past": 6,
    "cancelled_by_client": 2,
    "rejected": 2,
    "cancelled_by_performer": 1,
    "pending_open": 1,
    "accepted_future": 1,
}
RECEIVED_PER_SERVICE = 22
MADE_SCENARIOS = (
    (Service.WEBCAM, "accepted_future"),
    (Service.PHONECHAT, "accepted_new_price"),
    (Service.WEBCAM, "pending_open"),
    (Service.PHONECHAT, "pending_expired"),
    (Service.WEBCAM, "confirmed_future"),
    (Service.PHONECHAT, "confirmed_past"),
    (Service.WEBCAM, "cancelled_by_client"),
    (Service.PHONECHAT, "rejected"),
    (Service.WEBCAM, "rejected"),
    (Service.PHONECHAT, "pending_open"),
)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def build_bookings(seed: str, users: dict[int, User], now: datetime) -> list[Booking]:
    """The seed's bookings, numbered per service in order of creation."""
    if seed == "empty":
        return []
    rng = random.Random(RANDOM_SEED)  # nosec B311  # reproducible demo data, no secret
    builder = Builder(users, now.replace(second=0, microsecond=0), rng)
    bookings = list(_demo_bookings(builder))
    return number(bookings, dict(FIRST_IDS))


def number(bookings: list[Booking], next_ids: dict[Service, int]) -> list[Booking]:
    """Give IDs in order of creation, as the remote's identity columns would; updates next_ids."""
    for booking in sorted(bookings, key=lambda b: b.create_date):
        booking.booking_id = next_ids[booking.service]
        next_ids[booking.service] += 1
    return bookings


def _by_role(users: dict[int, User], role: Role) -> list[User]:
    return [user for user in users.values() if user.role is role]


def _demo_bookings(b: Builder) -> Iterator[Booking]:
    performers = _by_role(b.users, Role.PERFORMER)
    clients = _by_role(b.users, Role.CLIENT)
    rng = b.rng
    for performer in performers:
        for service in Service:
            scenarios = list(RECEIVED_ALWAYS)
            if service is Service.PHONECHAT:
                scenarios.append("pending_expired")
            while len(scenarios) < RECEIVED_PER_SERVICE:
                scenarios.append(_weighted(rng, RECEIVED_TAIL))
            for scenario in scenarios:
                yield b.booking(service, scenario, rng.choice(clients).user_id, performer.user_id)
    yield from _performers_booking_each_other(b, performers)
    yield from _multiple_offers(b, performers, clients)
    yield from _short_of_credits(b, performers, clients)


def _performers_booking_each_other(b: Builder, performers: list[User]) -> Iterable[Booking]:
    for index, maker in enumerate(performers):
        others = [p for p in performers if p is not maker]
        for step, (service, scenario) in enumerate(MADE_SCENARIOS[: 8 + index % 3]):
            target = others[(index + step) % len(others)]
            yield b.booking(service, scenario, maker.user_id, target.user_id)


def _multiple_offers(b: Builder, performers: list[User], clients: list[User]) -> Iterable[Booking]:
    """The same client's request sent to several performers at once (`IsMulitple`)."""
    for offer, client in enumerate(clients[:3]):
        template = b.booking(Service.WEBCAM, "pending_open", client.user_id, performers[0].user_id)
        for performer in performers[offer % 2 : offer % 2 + 3]:
            yield replace(template, performer_id=performer.user_id, is_multiple=True)


def _short_of_credits(b: Builder, performers: list[User], clients: list[User]) -> Iterable[Booking]:
    """Bookings of the client without credits that he would confirm or reschedule."""
    penny = next(client for client in clients if client.balance < 8)
    yield b.booking(Service.WEBCAM, "accepted_future", penny.user_id, performers[0].user_id)
    yield b.booking(Service.PHONECHAT, "pending_expired", penny.user_id, performers[0].user_id)
    yield b.booking(Service.PHONECHAT, "accepted_future", penny.user_id, performers[1].user_id)


GENERATED_MIX = {
    "confirmed_past": 10,
    "cancelled_by_client": 3,
    "cancelled_by_performer": 1,
    "rejected": 3,
    "pending_open": 2,
    "pending_expired": 1,
    "accepted_future": 1,
    "accepted_past": 1,
    "confirmed_future": 1,
}


def generate(
    users: dict[int, User],
    *,
    user_id: int,
    service: Service,
    received: bool,
    count: int,
    now: datetime,
    next_ids: dict[Service, int],
) -> list[Booking]:
    """Bulk bookings for one user, for benchmarks: mostly history, some open ones."""
    rng = random.Random(f"{RANDOM_SEED}:{user_id}:{service}:{received}:{next_ids[service]}")  # nosec B311  # reproducible
    builder = Builder(users, now.replace(second=0, microsecond=0), rng)
    role = Role.CLIENT if received else Role.PERFORMER
    others = [user.user_id for user in _by_role(users, role) if user.user_id != user_id]
    if not others:
        others = [uid for uid in users if uid != user_id]
    scenarios = rng.choices(list(GENERATED_MIX), weights=list(GENERATED_MIX.values()), k=count)
    bookings = []
    for index, scenario in enumerate(scenarios):
        other = others[index % len(others)]
        client_id, performer_id = (other, user_id) if received else (user_id, other)
        bookings.append(builder.booking(service, scenario, client_id, performer_id))
    return number(bookings, next_ids)
