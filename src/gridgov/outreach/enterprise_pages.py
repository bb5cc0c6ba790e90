"""Enterprise service desk pages (七个优先): the list of enterprises in the caller's
area with this year's coverage of the seven priorities and the open requests by due
date; an enterprise's page (its service records and requests, with the forms that
record and handle them); and party organisations' brands (一支部一品牌): the staff page
(edited by the branch's own officers) and the public page ``/brand/{code}``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.errors import DomainError
from gridgov.msgids import N_
from gridgov.outreach import brands, enterprises
from gridgov.outreach.enterprise_models import Brand, EnterpriseRequest
from gridgov.outreach.enterprise_rules import PRIORITIES, PRIORITY_ORDER, Priority
from gridgov.registry import public as register
from gridgov.registry.models import Organisation
from gridgov.registry.rules import PARTY_KINDS, OrgKind
from gridgov.web.deps import Now, SessionDep, StateDep, require_roles
from gridgov.web.render import error_context, language_of, render
from gridgov.web.toolkit import Desk, StaffDesk, StaffPage, desk, form_post, office_today, scoped

router = APIRouter(include_in_schema=False)
Server = Annotated[
    User,
    Depends(require_roles(Role.ADMIN, Role.UNIT_STAFF, Role.BRANCH_SECRETARY, page=True)),
]
Officer = Annotated[User, Depends(require_roles(Role.BRANCH_SECRETARY, Role.ADMIN, page=True))]
ServerDesk = Annotated[Desk, Depends(desk(Server, name="server_desk"))]
OfficerDesk = Annotated[Desk, Depends(desk(Officer, name="officer_desk"))]
OrgCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,32}$")]


def _branch(org: Organisation) -> brands.Branch:
    return brands.Branch(org.id, org.code, org.name, org.region_code)


def _party_visible(actor: Actor, org: Organisation) -> bool:
    return OrgKind(org.kind) in PARTY_KINDS and brands.may_see_branch(actor, _branch(org))


ScopedEnterprise = Annotated[
    Organisation,
    Depends(scoped(Organisation, "enterprise_id", StaffPage, enterprises.may_see_enterprise)),
]
ScopedRequest = Annotated[
    EnterpriseRequest,
    Depends(
        scoped(
            EnterpriseRequest,
            "request_id",
            Server,
            enterprises.may_see_request,
            object_type="enterprise_request",
        )
    ),
]
ScopedBranch = Annotated[
    Organisation,
    Depends(
        scoped(Organisation, "branch_id", StaffPage, _party_visible, object_type="organisation")
    ),
]


def _priorities() -> list[tuple[str, str]]:
    return [(p.value, PRIORITIES[p].label) for p in PRIORITY_ORDER]


# ---------------------------------------------------------------- the list


@router.get("/outreach/enterprises", response_class=HTMLResponse)
def enterprises_page(
    desk: StaffDesk,
    macau: Literal["", "yes", "no"] = "",
    priority: Priority | Literal[""] = "",
    covered: Literal["yes", "no"] = "yes",
    q: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    session, actor, today = desk.session, desk.actor, desk.today
    rows = enterprises.enterprise_rows(
        session,
        viewer=actor,
        today=today,
        macau=None if not macau else macau == "yes",
        priority=Priority(priority) if priority else None,
        covered=covered == "yes",
        q=q,
    )
    queue = enterprises.view_requests(
        enterprises.open_requests_in_scope(session, viewer=actor, limit=50), today=today
    )
    names = register.organisation_names(session, [v.request.enterprise_id for v in queue])
    return render(
        desk.request,
        "outreach/enterprises.html",
        {
            "rows": rows,
            "queue": queue,
            "names": names,
            "year": today.year,
            "priorities": _priorities(),
            "labels": dict(_priorities()),
            "filters": {"macau": macau, "priority": priority, "covered": covered, "q": q},
        },
    )


# ---------------------------------------------------------------- one enterprise


def _enterprise_context(
    session: Any, org: Organisation, actor: Actor, today: date
) -> dict[str, object]:
    records = enterprises.list_records(session, enterprise_id=org.id)
    requests = enterprises.list_requests(session, enterprise_id=org.id)
    who = [r.served_by for r in records]
    who += [u for r in requests for u in (r.accepted_by, r.closed_by) if u]
    return {
        "enterprise": org,
        "records": records,
        "requests": enterprises.view_requests(requests, today=today),
        "people": accounts.display_names(session, who),
        "branches": register.party_organisations_over(session, region_code=org.region_code),
        "priorities": _priorities(),
        "labels": dict(_priorities()),
        "today": today.isoformat(),
        "may_serve": actor.role in enterprises.SERVE_ROLES,
    }


def _on_enterprise(
    desk: Desk,
    enterprise_id: int,
    form: str,
    flash: str,
    run: Callable[[], object],
    org: Organisation | None = None,
) -> Response:
    """A form on an enterprise's page: back to it with ``flash``; on a refusal, the page
    again with the error at the form named ``form`` (the enterprise loaded then when
    ``org`` is not given)."""

    def again(exc: DomainError) -> Response:
        shown = org or enterprises.get_enterprise(
            desk.session, enterprise_id=enterprise_id, viewer=desk.actor
        )
        context = _enterprise_context(desk.session, shown, desk.actor, desk.today)
        context.update({**error_context(language_of(desk.request), exc), "error_form": form})
        return render(desk.request, "outreach/enterprise.html", context, status_code=exc.status)

    return desk.form(run, to=f"/outreach/enterprises/{enterprise_id}", on_error=again, flash=flash)


@router.get("/outreach/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_page(org: ScopedEnterprise, desk: StaffDesk) -> HTMLResponse:
    context = _enterprise_context(desk.session, org, desk.actor, desk.today)
    return render(desk.request, "outreach/enterprise.html", context)


class ServiceForm(BaseModel):
    """A service record's form (``do_record_service``'s fields)."""

    priority: Priority
    served_on: date
    done: str = Field(default="", max_length=2000)
    outcome: str = Field(default="", max_length=2000)


class RequestForm(BaseModel):
    """A received request's form (``do_receive_request``'s fields)."""

    priority: Priority
    received_on: date
    ask: str = Field(default="", max_length=2000)


class CloseForm(BaseModel):
    on: date
    resolved: bool = False
    reply: str = Field(default="", max_length=2000)


def _recorded(
    desk: Desk, org: Organisation, do: Callable[..., object], form: BaseModel, name: str, flash: str
) -> Response:
    """A record made on the enterprise's page from the form ``name`` (``do``'s fields)."""
    run = desk.action(do, enterprise=org, today=desk.today, **form.model_dump())
    return _on_enterprise(desk, org.id, name, flash, run, org)


@form_post(router, "/outreach/enterprises/{enterprise_id}/services")
def service_record(
    org: ScopedEnterprise, desk: ServerDesk, form: Annotated[ServiceForm, Form()]
) -> Response:
    return _recorded(
        desk, org, enterprises.do_record_service, form, "service", N_("The service was recorded.")
    )


@form_post(router, "/outreach/enterprises/{enterprise_id}/requests")
def request_receive(
    org: ScopedEnterprise, desk: ServerDesk, form: Annotated[RequestForm, Form()]
) -> Response:
    return _recorded(
        desk, org, enterprises.do_receive_request, form, "request", N_("The request was recorded.")
    )


def _on_request(
    desk: Desk, item: EnterpriseRequest, flash: str, run: Callable[[], object]
) -> Response:
    """A form on one request of its enterprise's page (its error shown at that request)."""
    return _on_enterprise(desk, item.enterprise_id, f"request-{item.id}", flash, run)


@form_post(router, "/outreach/enterprise-requests/{request_id}/accept")
def request_accept(
    item: ScopedRequest,
    desk: ServerDesk,
    on: Annotated[date, Form()],
    branch_id: Annotated[str, Form(pattern=r"^[0-9]{0,9}$")] = "",
) -> Response:
    run = desk.action(
        enterprises.do_accept_request,
        request=item,
        on=on,
        branch_id=int(branch_id) if branch_id else None,
        today=desk.today,
    )
    return _on_request(desk, item, N_("The request was accepted."), run)


@form_post(router, "/outreach/enterprise-requests/{request_id}/close")
def request_close(
    item: ScopedRequest, desk: ServerDesk, form: Annotated[CloseForm, Form()]
) -> Response:
    run = desk.action(
        enterprises.do_close_request, request=item, today=desk.today, **form.model_dump()
    )
    flash = N_("The request was resolved.") if form.resolved else N_("The request was declined.")
    return _on_request(desk, item, flash, run)


# ---------------------------------------------------------------- brands


@router.get("/outreach/brands", response_class=HTMLResponse)
def brands_page(desk: StaffDesk) -> HTMLResponse:
    items = brands.list_brands(desk.session, viewer=desk.actor)
    return render(desk.request, "outreach/brands.html", {"brands": items})


def _brand_view(
    session: Any, branch: brands.Branch, brand: Brand | None, today: date
) -> dict[str, object]:
    """A brand's page, the staff's and the public's: the brand with the branch's figures
    and featured activities this year."""
    return {
        "branch": branch,
        "brand": brand,
        "figures": brands.figures(session, branch_id=branch.id, today=today),
        "activities": brands.featured_activities(session, branch_id=branch.id),
        "year": today.year,
    }


def _brand_context(session: Any, org: Organisation, today: date) -> dict[str, object]:
    brand = brands.get_brand(session, branch_id=org.id)
    return _brand_view(session, _branch(org), brand, today)


@router.get("/outreach/brands/{branch_id}", response_class=HTMLResponse)
def brand_page(org: ScopedBranch, desk: StaffDesk) -> HTMLResponse:
    context = _brand_context(desk.session, org, desk.today)
    context["may_edit"] = desk.user.role in (Role.BRANCH_SECRETARY.value, Role.ADMIN.value)
    return render(desk.request, "outreach/brand.html", context)


class BrandForm(BaseModel):
    """A branch's brand (``do_save_brand``'s fields), as typed."""

    name: str = Field(default="", max_length=64)
    slogan: str = Field(default="", max_length=128)
    description: str = Field(default="", max_length=4000)
    published: bool = False


@form_post(router, "/outreach/brands/{branch_id}")
def brand_save(
    org: ScopedBranch, desk: OfficerDesk, brand: Annotated[BrandForm, Form()]
) -> Response:
    branch = _branch(org)

    def again(exc: DomainError) -> Response:
        context = _brand_context(desk.session, org, desk.today)
        context.update(
            {
                "may_edit": True,
                **error_context(language_of(desk.request), exc),
                "form": brand.model_dump(exclude={"published"}),
            }
        )
        return render(desk.request, "outreach/brand.html", context, status_code=exc.status)

    return desk.form(
        desk.action(brands.do_save_brand, branch=branch, **brand.model_dump()),
        to=f"/outreach/brands/{org.id}",
        on_error=again,
        flash=N_("The brand was saved."),
    )


@router.get("/brand/{code}", response_class=HTMLResponse)
def public_brand_page(
    request: Request, code: OrgCode, session: SessionDep, state: StateDep, now: Now
) -> HTMLResponse:
    """A published brand (一支部一品牌): anyone reads it."""
    branch, brand = brands.public_brand(session, code=code)
    context = _brand_view(session, branch, brand, office_today(state, now))
    return render(request, "outreach/brand_public.html", context)
