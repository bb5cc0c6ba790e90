"""Personal data at rest: AES-GCM encryption, an HMAC blind index, and masking.

ID numbers and phone numbers are stored three ways, none of them plaintext:
the AES-256-GCM ciphertext (random 96-bit nonce, the column name as associated data
so a value cannot be moved to another column), an HMAC-SHA256 blind index for exact
lookup, and a masked form for display (ID: first 6 and last 4; phone: first 3 and
last 4). Both subkeys are derived from the field key, which lives outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
VERSION = b"\x01"


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"gridgov/" + purpose).derive(key)


class FieldCipher:
    """Encrypts, decrypts and indexes one installation's personal fields."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(_derive(key, b"encrypt"))
        self._index_key = _derive(key, b"index")

    def encrypt(self, value: str, *, field: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, value.encode(), field.encode())

    def decrypt(self, blob: bytes, *, field: str) -> str:
        if blob[:1] != VERSION:
            raise ValueError("unknown field-encryption version")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        return self._aead.decrypt(nonce, sealed, field.encode()).decode()

    def blind_index(self, value: str, *, field: str) -> str:
        """Equal for equal (normalised) values, useless without the key."""
        message = field.encode() + b"\x00" + value.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def mask_id(number: str) -> str:
    """``440512********1234``: the first 6 and the last 4 characters."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """``138****5678``: the first 3 and the last 4 digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """A resident's name as the public sees it: the first character, the rest starred
    (陈**, J***); staff who answer or moderate see it in full."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * min(len(name) - 1, 3)


def mask_address(address: str) -> str:
    """A household's address as a role that may not reveal it reads it: up to its
    building (the last 号), the door starred (濠滨路1号***); the last four characters
    starred when it names no building."""
    address = address.strip()
    cut = address.rfind("号") + 1
    if 0 < cut < len(address):
        return address[:cut] + "***"
    if len(address) <= 4:
        return "*" * len(address)
    return address[:-4] + "****"
