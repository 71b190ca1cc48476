"""The only code that speaks HTTP to AdultWork: its REST API and its OAuth 2 token endpoint.

Everything it hands out is snake_case records; everything that goes wrong is an AdultWorkError.
It knows nothing of Django or of the rest of the project: every setting is passed in.
"""

from .api import AdultWorkApi
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
from .oauth import OAuthApi, new_pkce_pair
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
    "AdultWorkApi",
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
    "OAuthApi",
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
