"""The VAPID key pair that signs Web Push messages: whether push is available, and a fresh pair
for operators. Keys are base64url without padding, as browsers and push services use them: the
private key as its raw 32-byte number, the public key as its 65-byte uncompressed point."""

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


class VapidKeyError(ValueError):
    """A VAPID key that is not a P-256 key in the expected encoding."""


@dataclass(frozen=True)
class VapidKeys:
    private_key: str
    public_key: str


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; a wrong alphabet or length raises
    ValueError."""
    text = text.strip()
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def public_key_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def generate_key_pair() -> VapidKeys:
    private = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(
        private_key=b64url_encode(private.private_numbers().private_value.to_bytes(32, "big")),
        public_key=b64url_encode(public_key_bytes(private.public_key())),
    )


def public_key_of(private_key: str) -> str:
    """The public key that belongs to a private one."""
    try:
        raw = b64url_decode(private_key)
    except ValueError as error:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not base64url.") from error
    if len(raw) != 32:
        raise VapidKeyError("VAPID_PRIVATE_KEY must be a raw 32-byte P-256 key.")
    try:
        private = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as error:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not a valid P-256 key.") from error
    return b64url_encode(public_key_bytes(private.public_key()))


def push_available() -> bool:
    """Push is on when the key pair and the subject are set; the system checks say whether
    they are right."""
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY and settings.VAPID_SUBJECT)
