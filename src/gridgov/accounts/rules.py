"""Pure account rules: roles, scopes, the password policy and login throttling.

"May see" is one definition: an object's region code starts with the user's scope.
``may_access`` is its Python form and ``scope_clause`` its SQL form.
"""

from __future__ import annotations

import gzip
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Protocol, TypeVarTuple

from sqlalchemy import ColumnElement, Select, false

from gridgov.errors import Problem


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    DISPATCHER = "dispatcher"
    UNIT_STAFF = "unit_staff"
    BRANCH_SECRETARY = "branch_secretary"
    LEADER = "leader"
    AUDITOR = "auditor"
    ADMIN = "admin"


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}

# Region codes after GB/T 2260 + GB/T 30428.1: 6 county digits, 3 street, 3 community,
# then 2 or 3 grid digits (a district chooses 14- or 15-digit grid codes).
SCOPE_LENGTHS = (6, 9, 12, 14, 15)
_DIGITS = re.compile(r"[0-9]+")


def scope_problem(scope: str | None) -> Problem | None:
    """Why ``scope`` is not a region code a user can be given; None when it is.

    For staff the scope is what they may act on; for residents it is only their home
    region and grants nothing.
    """
    if not scope:
        return Problem("scope", "A scope is required: a region code such as 440512.")
    if not _DIGITS.fullmatch(scope) or len(scope) not in SCOPE_LENGTHS:
        lengths = ", ".join(str(n) for n in SCOPE_LENGTHS)
        return Problem("scope", "A scope is a region code of %(lengths)s digits.", lengths=lengths)
    return None


def may_access(scope: str | None, code: str) -> bool:
    """True when a user with ``scope`` may see or act on an object in region ``code``."""
    return bool(scope) and code.startswith(scope or "")


def scope_clause(scope: str | None, column: Any) -> ColumnElement[bool]:
    """The SQL form of :func:`may_access`, for list queries."""
    if not scope:
        return false()
    if not _DIGITS.fullmatch(scope):
        return false()
    return column.startswith(scope, autoescape=True)  # type: ignore[no-any-return]


class Viewer(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def scope(self) -> str | None: ...


Ts = TypeVarTuple("Ts")


def within_view(query: Select[*Ts], viewer: Viewer, column: Any) -> Select[*Ts]:
    """``query`` kept to the rows ``viewer`` may see (``scope_clause`` of their scope on
    ``column``); every row for the system."""
    if viewer.role == "system":
        return query
    return query.where(scope_clause(viewer.scope, column))


def scope_within(inner: str | None, outer: str | None) -> bool:
    """True when every region visible under ``inner`` is visible under ``outer``."""
    return bool(outer) and bool(inner) and (inner or "").startswith(outer or "")


# ---------------------------------------------------------------- passwords

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("gridgov.accounts").joinpath("data/common_passwords.txt")
    raw = text.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return frozenset(
        line.strip()
        for line in raw.decode().splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problems(password: str, *, username: str = "") -> list[Problem]:
    """Every reason a new password is refused; empty when it is acceptable."""
    problems: list[Problem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", "At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(Problem("password", "At most %(n)s characters.", n=MAX_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(Problem("password", "This is one of the most common passwords."))
    elif len(set(password)) <= 2:
        problems.append(Problem("password", "Too few different characters."))
    if username and len(username) >= 3 and username.lower() in lowered:
        problems.append(Problem("password", "The password contains the username."))
    return problems


# ---------------------------------------------------------------- throttling


@dataclass(frozen=True)
class LoginLimits:
    window: timedelta
    max_failures_per_ip: int
    max_failures_per_account: int


def login_window_start(now: datetime, limits: LoginLimits) -> datetime:
    return now - limits.window


def login_throttled(
    *, failures_from_ip: int, failures_on_account: int, limits: LoginLimits
) -> bool:
    """Refuse further attempts once either counter within the window reaches its limit.

    The IP counter stops one source guessing many accounts; the account counter stops
    many sources guessing one account. Neither touches other accounts from other IPs.
    """
    return (
        failures_from_ip >= limits.max_failures_per_ip
        or failures_on_account >= limits.max_failures_per_account
    )


MAX_ACCOUNT_DELAY_SECONDS = 60


def login_wait(
    *,
    failures_from_ip: int,
    failures_pair: int,
    failures_on_account: int,
    seconds_since_account_failure: float | None,
    known_address: bool,
    limits: LoginLimits,
) -> int | None:
    """Seconds this attempt must wait, or None when it may go ahead (ADR 0012).

    One address that failed too often on one account, or on accounts in general, waits
    out the window. Failures on an account from everywhere past the account limit bring a
    delay that doubles with each (1, 2, 4 … at most 60 seconds) instead of a lockout, so
    that guessing from many addresses stays slow while the owner still gets in; an
    address the account signed in from before skips that delay altogether.
    """
    if (
        failures_pair >= limits.max_failures_per_account
        or failures_from_ip >= limits.max_failures_per_ip
    ):
        return int(limits.window.total_seconds())
    excess = failures_on_account - limits.max_failures_per_account
    if known_address or excess < 0 or seconds_since_account_failure is None:
        return None
    delay = min(1 << min(excess, 16), MAX_ACCOUNT_DELAY_SECONDS)
    if seconds_since_account_failure >= delay:
        return None
    return max(1, math.ceil(delay - seconds_since_account_failure))
