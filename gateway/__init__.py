"""The only code that speaks HTTP to AdultWork: its REST API and its OAuth 2 token endpoint.

Everything it hands out is snake_case records; everything that goes wrong is an AdultWorkError.
It knows nothing of Django or of the rest of the project: every setting is passed in.
"""

from .client import AdultWorkClient
from .errors import (
    AdultWorkError,
    Forbidden,
    NotFound,
    NotSent,
    RateLimited,
    ReconnectNeeded,
    Refused,
    TimedOut,
    TokenExpired,
    Unavailable,
    UnreadableAnswer,
    raise_for_response,
)
from .oauth import OAuthClient, new_pkce_pair
from .records import (
    Booking,
    BookingPage,
    DeleteResult,
    Direction,
    Identity,
    Party,
    Service,
    TokenSet,
)
from .transport import Deadline

__all__ = [
    "AdultWorkClient",
    "AdultWorkError",
    "Booking",
    "BookingPage",
    "Deadline",
    "DeleteResult",
    "Direction",
    "Forbidden",
    "Identity",
    "NotFound",
    "NotSent",
    "OAuthClient",
    "Party",
    "RateLimited",
    "ReconnectNeeded",
    "Refused",
    "Service",
    "TimedOut",
    "TokenExpired",
    "TokenSet",
    "Unavailable",
    "UnreadableAnswer",
    "new_pkce_pair",
    "raise_for_response",
]
