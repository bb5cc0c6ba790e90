"""Register pages: residents, households and organisations lists with search, a
resident's card with the audited reveal, all scoped by the user's code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.errors import DomainError, NotFound
from gridgov.registry import imports, ledger, service
from gridgov.registry.api import Lookup
from gridgov.registry.models import Resident
from gridgov.registry.rules import OrgKind, Tag
from gridgov.territory.service import region_names
from gridgov.web import i18n
from gridgov.web.deps import CsrfChecked, PageUser, actor_of, require_roles
from gridgov.web.regions import ScopedRegionPage
from gridgov.web.render import download, language_of, render
from gridgov.web.toolkit import PageDesk, scoped

router = APIRouter(include_in_schema=False)
AdminOrWorker = Annotated[User, Depends(require_roles(Role.ADMIN, Role.GRID_WORKER, page=True))]
Search = Annotated[str, Query(max_length=64)]
Page = Annotated[int, Query(ge=0, le=10_000)]


scoped_resident_page = scoped(Resident, "resident_id", PageUser, service.may_see_resident)


ScopedResidentPage = Annotated[Resident, Depends(scoped_resident_page)]


@dataclass(frozen=True)
class Listing:
    """A register list's page: the lookup and the page number."""

    asked: Lookup
    page: int

    def show(
        self, name: str, reader: Callable[..., Any], shown: dict[str, Any], **filters: Any
    ) -> HTMLResponse:
        """The ``name`` list (registry/<name>.html): ``reader``'s rows for this lookup
        (and ``filters``), with the search, the region and ``shown`` on the page."""
        rows = self.asked.rows(reader, **filters)
        # the rows' grids and regions by name (the code stays the link)
        codes = {getattr(r, "grid_code", None) or getattr(r, "region_code", None) for r in rows}
        return render(
            self.asked.desk.request,
            f"registry/{name}.html",
            {
                name: rows,
                "places": region_names(self.asked.desk.session, {c for c in codes if c}),
                "page": self.page,
                "page_size": service.PAGE_SIZE,
                "q": self.asked.q,
                "region": self.asked.region or "",
                **shown,
            },
        )


def listing(desk: PageDesk, q: Search = "", region: str = "", page: Page = 0) -> Listing:
    size = service.PAGE_SIZE
    return Listing(Lookup(desk, q, region or None, size, page * size), page)


Listed = Annotated[Listing, Depends(listing)]


@router.get("/registry/residents", response_class=HTMLResponse)
def residents_page(asked: Listed, tag: str = "") -> HTMLResponse:
    shown = {"tag": tag, "tags": [t.value for t in Tag]}
    return asked.show("residents", service.list_residents, shown, tag=tag or None)


@router.get("/registry/residents/{resident_id}", response_class=HTMLResponse)
def resident_page(request: Request, resident: ScopedResidentPage, user: PageUser) -> HTMLResponse:
    return render(
        request,
        "registry/resident.html",
        {
            "resident": resident,
            "revealed": None,
            "error": None,
            "may_reveal": service.may_reveal(actor_of(request, user)),
        },
    )


@router.post(
    "/registry/residents/{resident_id}/reveal",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def reveal_submit(
    resident: ScopedResidentPage, desk: PageDesk, reason: Annotated[str, Form(max_length=200)] = ""
) -> HTMLResponse:
    request = desk.request
    actor = desk.actor
    try:
        revealed = service.do_reveal_resident(
            desk.session, actor=actor, resident=resident, reason=reason, now=desk.now
        )
    except DomainError as exc:
        message = i18n.gettext(language_of(request), exc.message, exc.params)
        return render(
            request,
            "registry/resident.html",
            {
                "resident": resident,
                "revealed": None,
                "error": message,
                "may_reveal": service.may_reveal(actor),
            },
            status_code=exc.status,
        )
    desk.session.commit()
    response = render(
        request,
        "registry/resident.html",
        {"resident": resident, "revealed": revealed, "error": None, "may_reveal": True},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/registry/households", response_class=HTMLResponse)
def households_page(asked: Listed) -> HTMLResponse:
    return asked.show("households", service.list_households, {})


@router.get("/registry/organisations", response_class=HTMLResponse)
def organisations_page(asked: Listed, kind: str = "") -> HTMLResponse:
    shown = {"kind": kind, "kinds": [k.value for k in OrgKind]}
    return asked.show("organisations", service.list_organisations, shown, kind=kind or None)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/regions/{code}/ledger.xlsx")
def ledgerdownload(region: ScopedRegionPage, desk: PageDesk) -> Response:
    """The region's ledger (台账): households, residents (masked), organisations, roles."""
    content = ledger.export_ledger_xlsx(desk.session, grid_code=region.code, viewer=desk.actor)
    return download(content, f"ledger-{region.code}.xlsx", XLSX)


@router.get("/registry/templates", response_class=HTMLResponse)
def templates_page(request: Request, user: AdminOrWorker) -> HTMLResponse:
    """The import templates, one per kind, to download and fill in."""
    return render(request, "registry/templates.html", {"kinds": [k.value for k in imports.Kind]})


@router.get("/registry/templates/{kind}.{extension}")
def templatedownload(kind: str, extension: str, user: AdminOrWorker) -> Response:
    try:
        chosen = imports.Kind(kind)
    except ValueError as exc:
        raise NotFound("Not found, or outside your area.") from exc
    if extension == "xlsx":
        return download(imports.template_xlsx(chosen), f"{kind}-template.xlsx", XLSX)
    if extension == "csv":
        return download(imports.template_csv(chosen), f"{kind}-template.csv", "text/csv")
    raise NotFound("Not found, or outside your area.")
