"""Pages of the discussion loop (讨论 → 献策 → 治理 → 监督).

Public (no login to read): ``/portal/{region_code}/discussions``, ``/discussions/{id}``
and ``/proposals/{id}``; writing on them needs a signed-in resident of the community or
staff in scope. Staff: ``/deliberation/proposals`` (proposals awaiting the community's
answer) and ``/deliberation/moderation`` (reports and held items).

Hidden content shows its reason only; held content shows to its author and the
moderators only.

Served with ``moderation_pages`` (each its own router).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.config import SUPPORTED_LANGUAGES
from gridgov.deliberation import discussion
from gridgov.deliberation.discussion import Target
from gridgov.deliberation.models import Discussion, Proposal
from gridgov.errors import DomainError, InvalidInput, NotFound
from gridgov.guard.rules import Write
from gridgov.msgids import N_
from gridgov.territory import service as territory
from gridgov.web import i18n
from gridgov.web.deps import (
    Now,
    PageUser,
    SessionDep,
    actor_of,
    require_roles,
)
from gridgov.web.render import error_message, language_of, local_time, no_store, render
from gridgov.web.toolkit import (
    Desk,
    PageDesk,
    Visitor,
    VisitorDep,
    committed,
    desk,
    form_post,
    safe_next,
)

router = APIRouter(include_in_schema=False)

RegionCode = Annotated[str, Path(pattern=r"^[0-9]{12}$")]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AnswerPage = Annotated[User, Depends(require_roles(*discussion.ANSWER_ROLES, page=True))]
ModeratorPage = Annotated[User, Depends(require_roles(*discussion.MODERATOR_ROLES, page=True))]
# The page a form comes back to.
NextPath = Annotated[str, Form(max_length=200)]

# Catalogue ids of the values these pages show through ``_(value)``.
LABELS = (
    N_("submitted"),
    N_("accepted"),
    N_("merged"),
    N_("not_adopted"),
    N_("not_started"),
    N_("in_progress"),
    N_("done"),
    N_("discussion"),
    N_("proposal"),
    N_("comment"),
    N_("matter"),
    N_("notice"),
    N_("implementation"),
)


# ---------------------------------------------------------------- helpers


AnswerDesk = Annotated[Desk, Depends(desk(AnswerPage, name="answer_desk"))]


def language_label(code: str) -> str:
    """A language tag in its own words (한국어, português, 繁體中文); the code otherwise."""
    if code in i18n.LANGUAGE_NAMES:
        return i18n.LANGUAGE_NAMES[code]
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    name = locale.get_display_name(locale)
    return name or code


def _problems(language: str, error: DomainError | None) -> list[str]:
    if error is None:
        return []
    return [i18n.gettext(language, p.message, p.params) for p in error.details]


def _chosen_language(language: str, other: str) -> str:
    return other.strip() or language.strip()


class _InLanguage(BaseModel):
    """A form's language: one of the list, or another typed in."""

    language: str = Field(default="", max_length=32)
    language_other: str = Field(default="", max_length=32)

    @property
    def chosen(self) -> str:
        return _chosen_language(self.language, self.language_other)


class Written(_InLanguage):
    """A comment's form: its text, and its language."""

    text: str = Field(default="", max_length=4000)


class Posted(_InLanguage):
    """A discussion's or a proposal's form: title, body and language."""

    title: str = Field(default="", max_length=400)
    body: str = Field(default="", max_length=10_000)

    def fields(self) -> dict[str, str]:
        """Title, body and the chosen language: the ``do_*``'s keywords, and the form
        shown again after a refusal."""
        return {"title": self.title, "body": self.body, "language": self.chosen}


class Opened(Posted):
    """The community page's form: a discussion, or (``kind=proposal``) a proposal."""

    kind: str = Field(default="discussion", max_length=16)


def _base_context(seen: Visitor | Desk, error: DomainError | None) -> dict[str, Any]:
    request = seen.request
    language = language_of(request)
    return {
        "tz": ZoneInfo(seen.state.settings.timezone),
        "local": local_time,
        "language_label": language_label,
        "app_languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
        "signed_in": seen.user is not None,
        "login_next": quote(request.url.path, safe="/"),
        "error": error_message(language, error) if error else None,
        "problems": _problems(language, error),
    }


def _page(
    seen: Visitor | Desk, error: DomainError | None, template: str, values: dict[str, Any]
) -> HTMLResponse:
    """``template`` with the shared context and ``values``; the error's status if any."""
    context = _base_context(seen, error)
    context.update(values)
    status = error.status if error else 200
    return no_store(render(seen.request, template, context, status_code=status))


def _comments(
    session: Session, target: Target, target_id: int, user: User | None, region_code: str
) -> list[Any]:
    return discussion.comments_of(
        session, target.value, target_id, viewer=user, region_code=region_code
    )


# ---------------------------------------------------------------- a community's discussions


def _list_page(
    seen: Visitor | Desk,
    region_code: str,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    session, user = seen.session, seen.user
    region = territory.find_region(session, code=region_code)
    if region is None or region.level != "community":
        raise NotFound("There is no community %(code)s.", params={"code": region_code})
    return _page(
        seen,
        error,
        "deliberation/discussions.html",
        {
            "region": region,
            "summaries": discussion.list_discussions(session, region.code, viewer=user),
            "standalone": discussion.list_proposals(
                session, region.code, viewer=user, standalone=True
            ),
            "may_write": user is not None and discussion.may_write_in(user, region.code),
            "may_moderate": discussion.may_moderate(user, region.code),
            "form": form or {},
        },
    )


@router.get("/portal/{region_code}/discussions", response_class=HTMLResponse)
def discussions_page(region_code: RegionCode, visitor: VisitorDep) -> HTMLResponse:
    """A community's discussions and proposals, for anyone to read."""
    return _list_page(visitor, region_code)


@form_post(router, "/portal/{region_code}/discussions/new")
def discussion_open(
    region_code: RegionCode, desk: PageDesk, posted: Annotated[Opened, Form()]
) -> Response:
    """Open a discussion, or (``kind=proposal``) submit a proposal on its own."""
    kind = posted.kind
    do: Callable[..., Discussion | Proposal] = (
        discussion.do_submit_proposal if kind == "proposal" else discussion.do_open_discussion
    )
    path = "/proposals" if kind == "proposal" else "/discussions"

    def again(exc: DomainError) -> Response:
        form = {**posted.fields(), "kind": kind}
        return _list_page(desk, region_code, error=exc, form=form)

    return desk.form(
        desk.action(do, user=desk.user, region_code=region_code, **posted.fields()),
        to=lambda row: f"{path}/{row.id}",
        on_error=again,
    )


# ---------------------------------------------------------------- one discussion


def _item_values(
    seen: Visitor | Desk, row: Discussion | Proposal, target: Target, form: dict[str, str] | None
) -> dict[str, Any]:
    """What a discussion's and a proposal's page both show: the region, the comments,
    whether the reader may write (not on held or hidden content) or moderate, the form."""
    session, user = seen.session, seen.user
    return {
        "region_name": territory.region_name(session, row.region_code),
        "comments": _comments(session, target, row.id, user, row.region_code),
        "may_write": user is not None
        and discussion.may_write_in(user, row.region_code)
        and not row.held
        and row.hidden_reason is None,
        "may_moderate": discussion.may_moderate(user, row.region_code),
        "form": form or {},
    }


def _discussion_page(
    seen: Visitor | Desk,
    row: Discussion,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    session, user = seen.session, seen.user
    return _page(
        seen,
        error,
        "deliberation/discussion.html",
        {
            "discussion": row,
            "proposals": discussion.list_proposals(
                session, row.region_code, viewer=user, discussion_id=row.id
            ),
            **_item_values(seen, row, Target.DISCUSSION, form),
        },
    )


@router.get("/discussions/{discussion_id}", response_class=HTMLResponse)
def discussion_page(discussion_id: ItemId, visitor: VisitorDep) -> HTMLResponse:
    """A discussion with its proposals and comments, for anyone to read."""
    row = discussion.get_discussion(visitor.session, discussion_id, viewer=visitor.user)
    return _discussion_page(visitor, row)


@form_post(router, "/discussions/{discussion_id}/proposals")
def discussion_propose(
    discussion_id: ItemId, desk: PageDesk, posted: Annotated[Posted, Form()]
) -> Response:
    return desk.form(
        desk.action(
            discussion.do_submit_proposal,
            user=desk.user,
            discussion_id=discussion_id,
            **posted.fields(),
        ),
        to=lambda proposal: f"/proposals/{proposal.id}",
        on_error=_again(
            desk, Target.DISCUSSION, discussion_id, {**posted.fields(), "kind": "proposal"}
        ),
    )


@form_post(router, "/discussions/{discussion_id}/comments")
def discussion_comment(
    discussion_id: ItemId, desk: PageDesk, written: Annotated[Written, Form()]
) -> Response:
    return _comment(desk, Target.DISCUSSION, discussion_id, written)


def _item_page(
    desk: Desk, target: Target, item_id: int, error: DomainError, form: dict[str, str]
) -> HTMLResponse:
    """A discussion's or a proposal's page again, with ``error`` and the user's ``form``."""
    session, user = desk.session, desk.user
    if target is Target.DISCUSSION:
        thread = discussion.get_discussion(session, item_id, viewer=user)
        return _discussion_page(desk, thread, error=error, form=form)
    proposal = discussion.get_proposal(session, item_id, viewer=user)
    return _proposal_page(desk, proposal, error=error, form=form)


def _again(
    desk: Desk, target: Target, item_id: int, form: dict[str, str]
) -> Callable[[DomainError], Response]:
    """The ``on_error`` of a form on a discussion's or a proposal's page."""
    return lambda error: _item_page(desk, target, item_id, error, form)


def _comment(desk: Desk, target: Target, target_id: int, written: Written) -> Response:
    """A comment from a discussion's or a proposal's page, back to its comments; on a
    refusal, the page again. Every comment counts against the writer's comments and the
    target's (guard.rules: Write.COMMENT)."""
    text, language = written.text, written.chosen
    form = {"text": text, "language": language, "kind": "comment"}

    def run() -> object:
        desk.check_rate(Write.COMMENT, f"{target.value}:{target_id}")
        return desk.run(
            discussion.do_comment,
            user=desk.user,
            target_type=target.value,
            target_id=target_id,
            text=text,
            language=language,
        )

    return desk.form(
        run,
        to=f"/{target.value}s/{target_id}#comments",
        on_error=_again(desk, target, target_id, form),
    )


# ---------------------------------------------------------------- one proposal


def _proposal_page(
    seen: Visitor | Desk,
    row: Proposal,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    session, user = seen.session, seen.user
    implementation, milestones = discussion.implementation_of(session, row)
    merged_into = session.get(Proposal, row.merged_into_id) if row.merged_into_id else None
    parent = session.get(Discussion, row.discussion_id) if row.discussion_id else None
    supervision = (
        _comments(session, Target.IMPLEMENTATION, implementation.id, user, row.region_code)
        if implementation
        else []
    )
    return _page(
        seen,
        error,
        "deliberation/proposal.html",
        {
            "proposal": row,
            "discussion": parent,
            "merged_into": merged_into,
            "merged_here": discussion.merged_here(session, row),
            "implementation": implementation,
            "milestones": milestones,
            "today": seen.now.astimezone(ZoneInfo(seen.state.settings.timezone)).date(),
            "supervision": supervision,
            "may_supervise": implementation is not None
            and discussion.may_supervise(user, row.region_code),
            "may_answer": discussion.may_answer(user, row.region_code)
            and row.state == "submitted"
            and not row.held,
            "candidates": discussion.merge_candidates(session, row),
            "answers": [a.value for a in discussion.Answer],
            **_item_values(seen, row, Target.PROPOSAL, form),
        },
    )


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(proposal_id: ItemId, visitor: VisitorDep) -> HTMLResponse:
    """A proposal, the community's answer and reason, and its governance action."""
    row = discussion.get_proposal(visitor.session, proposal_id, viewer=visitor.user)
    return _proposal_page(visitor, row)


@form_post(router, "/proposals/{proposal_id}/comments")
def proposal_comment(
    proposal_id: ItemId, desk: PageDesk, written: Annotated[Written, Form()]
) -> Response:
    return _comment(desk, Target.PROPOSAL, proposal_id, written)


def _merged_into(value: str) -> int | None:
    value = value.strip().lstrip("#")
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidInput("Name the proposal it is merged into.")
    return int(value)


class AnswerForm(BaseModel):
    """The answer form of a proposal, as typed."""

    decision: str = Field(default="", max_length=16)
    reason: str = Field(default="", max_length=8000)
    merged_into: str = Field(default="", max_length=16)

    def merged_into_id(self) -> int | None:
        """The proposal a "merged" answer names (read only for that decision)."""
        return _merged_into(self.merged_into) if self.decision == "merged" else None


@form_post(router, "/deliberation/proposals/{proposal_id}/answer")
def proposal_answer(
    proposal_id: ItemId,
    desk: AnswerDesk,
    answer: Annotated[AnswerForm, Form()],
    next: NextPath = "",
) -> Response:
    """The community's answer, with its reason; from the proposal or the staff list."""
    return desk.form(
        lambda: desk.run(
            discussion.do_answer_proposal,
            user=desk.user,
            proposal_id=proposal_id,
            decision=answer.decision,
            reason=answer.reason,
            merged_into_id=answer.merged_into_id(),
        ),
        to=safe_next(next, f"/proposals/{proposal_id}"),
        on_error=_again(desk, Target.PROPOSAL, proposal_id, answer.model_dump()),
    )


# ---------------------------------------------------------------- supervision and reports


@dataclass(frozen=True)
class ItemAction:
    """An action on the discussion item a form names (``target_type``, ``target_id``):
    the supervision and report forms here, and moderation's. A dependency: FastAPI fills
    its fields."""

    request: Request
    session: SessionDep
    now: Now
    target_type: Annotated[str, Form(max_length=24)] = ""
    target_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 0

    def run(self, user: User, do: Callable[..., object], to: str, **fields: Any) -> Response:
        """``do`` (a ``do_*`` of the discussion loop) as ``user``; commit, then see ``to``."""
        do(
            self.session,
            user=user,
            actor=actor_of(self.request, user),
            target_type=self.target_type,
            target_id=self.target_id,
            now=self.now,
            **fields,
        )
        return committed(self.session, to)


OnItem = Annotated[ItemAction, Depends()]


@form_post(router, "/supervision")
def supervision_comment(
    item: OnItem,
    user: PageUser,
    stage_id: Annotated[str, Form(max_length=48)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
    language: Annotated[str, Form(max_length=32)] = "",
    language_other: Annotated[str, Form(max_length=32)] = "",
    next: NextPath = "",
) -> Response:
    """A supervision comment (监督) on a matter's stage, a notice or an implementation
    record; other pages embed this form and name where to come back to."""
    return item.run(
        user,
        discussion.do_comment,
        safe_next(next, "/"),
        stage_id=stage_id or None,
        supervision=True,
        text=text,
        language=_chosen_language(language, language_other),
    )


@form_post(router, "/content-reports")
def content_report(
    item: OnItem,
    user: PageUser,
    reason: Annotated[str, Form(max_length=1000)] = "",
    next: NextPath = "",
) -> Response:
    """Report a discussion, proposal or comment to the moderators."""
    return item.run(user, discussion.do_report, safe_next(next, "/"), reason=reason)
