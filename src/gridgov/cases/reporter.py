"""The reporter's credential and idempotency keys that belong to their principal.

A tracking code is public (Open311 lists it as ``service_request_id``): it finds a case
and grants nothing. Rating, contesting and adding information need the reporter, either
signed in as the account that filed the case, or holding the secret issued once at
submission (shown on the confirmation page and sent in the SMS link). Only its SHA-256
is stored. See ADR 0012.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases.models import Case
from gridgov.errors import Forbidden
from gridgov.guard.rules import mask_free_text
from gridgov.msgids import N_

SECRET_BYTES = 16


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def issue_secret(case: Case) -> str:
    """A new secret for ``case``'s reporter; only its digest is kept."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    case.reporter_secret_hash = _digest(secret)
    return secret


def secret_matches(case: Case, secret: str | None) -> bool:
    if not secret or not case.reporter_secret_hash or len(secret) > 128:
        return False
    return hmac.compare_digest(case.reporter_secret_hash, _digest(secret))


def is_reporter(case: Case, *, secret: str | None, user_id: int | None) -> bool:
    """The signed-in account that filed the case, or the holder of its secret."""
    if user_id is not None and case.reporter_user_id == user_id:
        return True
    return secret_matches(case, secret)


def check_reporter(
    session: Session,
    *,
    case: Case,
    secret: str | None,
    user_id: int | None,
    actor: Actor,
    action: str,
    now: datetime,
) -> None:
    """Refuse (403, audited and committed) anyone but the reporter. The refusal commits
    with the caller's pending rate-limit hit, so guessing secrets is counted too."""
    if is_reporter(case, secret=secret, user_id=user_id):
        return
    summary = {"step": action, "secret_given": bool(secret)}
    record_about(session, actor, "case.reporter_refused", case, now=now, summary=summary)
    session.commit()
    raise Forbidden(
        "Only the person who reported this case may do this: use the link you were "
        "given when you reported it, or sign in."
    )


def scoped_key(principal: str, key: str | None) -> str | None:
    """An idempotency key as stored: bound to its principal (``user:17``, ``form:…``), so
    that another caller's key never finds their case. A digest keeps it to 64 characters."""
    if key is None or not key.strip():
        return None
    return "k:" + hashlib.sha256(f"{principal}\x00{key.strip()}".encode()).hexdigest()


def seal_description(session: Session, case: Case) -> None:
    """Mask ID, phone and bank-card numbers typed into the description; keep the text as
    typed only sealed, for an audited reveal."""
    from gridgov.registry import service as registry

    masked = mask_free_text(case.description)
    if masked != case.description:
        cipher = registry.cipher_of(session)
        case.description_enc = cipher.encrypt(case.description, field="case_file.description")
        case.description = masked


def reveal_description(session: Session, case: Case) -> str:
    """The description as typed (the caller checks the role and audits the reveal)."""
    from gridgov.registry import service as registry

    if case.description_enc is None:
        return case.description
    return registry.cipher_of(session).decrypt(case.description_enc, field="case_file.description")


# Who may say a report came another way than the route it used: staff entering a
# caller's report (hotline) or raising one on patrol. Everyone else's channel is the
# route's own.
STAFF_CHANNEL_ROLES = frozenset(
    {"grid_worker", "dispatcher", "unit_staff", "branch_secretary", "leader", "admin"}
)
STAFF_CHANNELS = frozenset({"api", "hotline", "staff"})


def channel_for(*, role: str, asked: str, route: str) -> str:
    """The channel the server records: the route's own (``api``, ``web``), or for staff
    the one they name among api, hotline and staff."""
    if role in STAFF_CHANNEL_ROLES and asked in STAFF_CHANNELS:
        return asked
    return route


def is_staff(role: str) -> bool:
    return role in STAFF_CHANNEL_ROLES


def do_reveal_description(
    session: Session, *, actor: Actor, case: Case, reason: str, now: datetime
) -> str:
    """The description as typed, with the numbers the intake masked, for the roles that
    may reveal residents' numbers; every reveal is audited with its reason."""
    from gridgov.errors import InvalidInput, Problem
    from gridgov.registry import service as registry

    if not registry.may_reveal(actor):
        raise Forbidden("Your role may not see full ID numbers or phone numbers.")
    if not reason.strip():
        raise InvalidInput(
            N_("Say why you need the full numbers."),
            details=[Problem("reason", "A reason is required.")],
        )
    text = reveal_description(session, case)
    summary = {"reason": reason.strip()[:200]}
    record_about(session, actor, "case.description_revealed", case, now=now, summary=summary)
    return text
