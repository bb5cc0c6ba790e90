"""Typed domain errors with stable codes; the web layer maps them to one error shape.

``message`` is an English catalogue id with ``%(name)s`` placeholders; it is translated
into the user's language when rendered. ``details`` carry field-level problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar


class ErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    UNAUTHENTICATED = "unauthenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    FORBIDDEN = "forbidden"
    CSRF_FAILED = "csrf_failed"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_MANY_REQUESTS = "too_many_requests"
    NOT_READY = "not_ready"
    INTERNAL = "internal_error"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """A refusal the user can act on: ``code`` and ``status`` come from the kind
    (``class NotFound(DomainError, code=ErrorCode.NOT_FOUND, status=404)``)."""

    code: ErrorCode = ErrorCode.INVALID_INPUT
    status: int = 400

    def __init_subclass__(
        cls, *, code: ErrorCode | None = None, status: int | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status

    def __init__(
        self,
        message: str,
        *,
        params: dict[str, Any] | None = None,
        details: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message % (params or {}) if params else message)
        self.message = message
        self.params = params or {}
        self.details = details or []
        self.headers = headers or {}


class InvalidInput(DomainError, code=ErrorCode.INVALID_INPUT, status=422):
    """The input is wrong; ``details`` name the fields."""


class Unauthenticated(DomainError, code=ErrorCode.UNAUTHENTICATED, status=401):
    """Nobody is signed in."""


class InvalidCredentials(DomainError, code=ErrorCode.INVALID_CREDENTIALS, status=401):
    """A wrong user name or password."""


class Forbidden(DomainError, code=ErrorCode.FORBIDDEN, status=403):
    """Signed in, but the role may not do this."""


class CsrfFailed(DomainError, code=ErrorCode.CSRF_FAILED, status=403):
    """A form without this session's token."""


class NotFound(DomainError, code=ErrorCode.NOT_FOUND, status=404):
    """Missing, or outside the user's area (the two answer alike)."""


class Conflict(DomainError, code=ErrorCode.CONFLICT, status=409):
    """Not possible in the object's present state."""


StateT = TypeVar("StateT", bound=StrEnum)


def checked_transition(
    allowed: Mapping[StateT, frozenset[StateT]], current: StateT, target: StateT, refusal: str
) -> StateT:
    """``target`` when ``allowed`` lets ``current`` move there; otherwise Conflict with
    ``refusal``, a catalogue id naming both as ``%(current)s`` and ``%(target)s``."""
    if target not in allowed[current]:
        raise Conflict(refusal, params={"current": current.value, "target": target.value})
    return target


class TooManyRequests(DomainError, code=ErrorCode.TOO_MANY_REQUESTS, status=429):
    """Too many attempts in too short a time."""


class NotReady(DomainError, code=ErrorCode.NOT_READY, status=503):
    """A part the request needs is not ready yet."""


class Problem:
    """One field-level problem: a catalogue message id, its parameters, the field."""

    __slots__ = ("field", "message", "params")

    def __init__(self, field: str, message: str, **params: Any) -> None:
        self.field = field
        self.message = message
        self.params = params

    def __repr__(self) -> str:
        return f"Problem({self.field!r}, {self.message % self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.field, self.message, self.params) == (
            other.field,
            other.message,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((self.field, self.message))

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


def check_length(
    problems: list[Problem], field: str, text: str, limit: int, missing: str, *, least: int = 1
) -> None:
    """Add to ``problems`` what is wrong with ``text`` (already stripped): ``missing`` (a
    catalogue id) when it is shorter than ``least``, else the limit when it is longer."""
    if len(text) < least:
        problems.append(Problem(field, missing))
    elif len(text) > limit:
        problems.append(Problem(field, "At most %(n)s characters.", n=limit))
