"""Keeps secrets and personal data out of log lines: OAuth tokens, codes and client secrets,
phone numbers, Skype names, and the secrets that travel in our own paths (a calendar feed's
token, a password-reset link's token).

Log lines leave the machine (a log service, a support ticket) and outlive every token and every
booking; so the message, the traceback and each extra field of a record are redacted before any
formatter sees them, whichever logger wrote them.
"""

import dataclasses
import datetime
import logging
import re
import uuid
from decimal import Decimal
from typing import Any

REDACTED = "<redacted>"

# A value named as a secret or as personal data: `key=value` (query strings, reprs),
# `"key": "value"` (JSON, dicts) and `key: value`. `code` is an OAuth code only as `code=` or a
# quoted key: "status code: 500" is not one.
_NAMES = (
    r"token|secret|password\d*|code_verifier"
    r"|phone_?number|phone|mobile|skype_?name|skype"
)
_FIELD = re.compile(
    rf"""
    (?P<key>
        \b\w*?(?:{_NAMES})\b
      | \bcode\b(?=["']?\s*=|["']\s*:)
    )
    (?P<sep>["']?\s*[=:]\s*)
    (?:
        (?P<quote>["'])(?P<quoted>[^"']*)(?P=quote)
      | (?P<bare>[^\s&"',;)}}\]]+)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# The same names as a whole key of a dict or an extra field.
_SENSITIVE_KEY = re.compile(rf"\w*?(?:{_NAMES})|code", re.IGNORECASE)
# RFC 9110's token68 credentials, whole: "Bearer expires_in=3600" names no credentials.
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*(?![\w=])", re.IGNORECASE)
# Seven or more digits, as a phone number is written: a leading +, single spaces between
# groups, a UK "(0)". Longer ids are caught too, a price worth paying; dates and times are not
# (their digits are separated by - and :).
_PHONE = re.compile(r"(?<![\w+])\+?\d(?: ?(?:\(0\) ?)?\d){6,}(?!\w)")
# The feed's token is its key (bookings/feed_views.py); a 404 logs the path it was asked for.
_CALENDAR_TOKEN = re.compile(
    r"""(?P<prefix>/bookings/calendar/|/calendar/(?=[^/\s?#"'<>]+\.ics))"""
    r"""[^/\s?#"'<>]+?(?P<suffix>\.ics)?(?=[/\s?#"'<>]|$)"""
)
_PASSWORD_RESET_TOKEN = re.compile(r"""(/password-reset/[^/\s?#"'<>]+/)[^/\s?#"'<>]+""")

# What every record has; anything else on a record came through `extra=` (or Django's own
# `status_code` and `request`) and is redacted like the message.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__
) | {"message", "asctime", "request_id", "user_id"}
# Values that cannot hold a secret as text, and that a JSON formatter writes as they are.
_PLAIN_TYPES = (
    bool,
    int,
    float,
    Decimal,
    uuid.UUID,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    type(None),
)
_TRACEBACK_FORMATTER = logging.Formatter()


def _redact_field(match: re.Match) -> str:
    if match["quote"]:
        return f"{match['key']}{match['sep']}{match['quote']}{REDACTED}{match['quote']}"
    return f"{match['key']}{match['sep']}{REDACTED}"


def _redact_calendar_token(match: re.Match) -> str:
    return f"{match['prefix']}{REDACTED}{match['suffix'] or ''}"


def redact(text: str) -> str:
    """`text` with every secret and every piece of personal data it shows replaced."""
    # Phone numbers first: a number written with spaces is then one `<redacted>`, which the
    # field rule takes whole, instead of a first group redacted and the rest left behind.
    text = _PHONE.sub(REDACTED, text)
    text = _CALENDAR_TOKEN.sub(_redact_calendar_token, text)
    text = _PASSWORD_RESET_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = _AUTH_SCHEME.sub(rf"\g<1> {REDACTED}", text)
    return _FIELD.sub(_redact_field, text)


def redact_value(value: Any, *, key: object = None) -> Any:
    """`value` of a log record's field (or of a dict or list inside one), redacted.

    Containers keep their shape so that a JSON line keeps it too; an object that a formatter
    would write through str() is written as its redacted str() here.
    """
    if (
        isinstance(key, str)
        and _SENSITIVE_KEY.fullmatch(key)
        and not isinstance(value, bool)
        and value not in (None, "")
    ):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, dict):
        return {name: redact_value(item, key=name) for name, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return redact_value(dataclasses.asdict(value))
    return redact(str(value))


class RedactFilter(logging.Filter):
    """Redacts a record's message, traceback, stack and extra fields.

    It returns a redacted copy (Python 3.12+), so that the handlers that ran before this one,
    such as Django's error mail, still had the record as it was logged.
    """

    def filter(self, record: logging.LogRecord) -> logging.LogRecord:
        redacted = logging.makeLogRecord(record.__dict__)
        if isinstance(record.msg, dict):
            redacted.msg = redact_value(record.msg)
        else:
            try:
                message = record.getMessage()
            except Exception:
                # Arguments that do not fit the message: the message alone, since writing them
                # as they are might write a secret.
                message = str(record.msg)
            redacted.msg = redact(message)
            redacted.args = None
        text = record.exc_text or (
            _TRACEBACK_FORMATTER.formatException(record.exc_info) if record.exc_info else ""
        )
        if text:
            redacted.exc_text = redact(text)
            # The formatters then write exc_text, never the live exception's own text.
            redacted.exc_info = None
        if record.stack_info:
            redacted.stack_info = redact(record.stack_info)
        for name, value in record.__dict__.items():
            if name not in _RECORD_ATTRIBUTES and not name.startswith("_"):
                setattr(redacted, name, redact_value(value, key=name))
        return redacted
