"""The public portal of each village and community (public, no login; the paths are in
``gridgov.web.deps.PUBLIC_PATHS``): ``/portal`` lists the villages and communities,
``/portal/{region_code}`` shows one: its notices on display and past, the results
disclosed, the matters in progress and the stage each has reached, and links to its
discussions and elections. The page chrome is in the reader's language; each notice in
its own, tagged with ``lang``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.deliberation import notices, rules
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import Matter, Notice
from gridgov.deliberation.notices_pages import html_lang, remaining
from gridgov.deliberation.rules import MatterState, NoticeKind, NoticeState
from gridgov.errors import DomainError, NotFound
from gridgov.msgids import N_
from gridgov.territory.models import Region
from gridgov.web.deps import Now, OptionalUser, SessionDep, StateDep
from gridgov.web.render import error_page, language_of, local_time, render

router = APIRouter(include_in_schema=False)

RegionCode = Annotated[str, Path(min_length=6, max_length=18, pattern=r"^[0-9]+$")]
RESULT_KINDS = (NoticeKind.RESOLUTION, NoticeKind.RESULT, NoticeKind.ELECTION_RESULT)
LABELS = (N_("open"), N_("rejected"), N_("completed"))


def _stage_name(session: Session, matter: Matter, language: str) -> str:
    """The name of the stage a matter has reached, from its procedure's revision."""
    if matter.stage_id is None:
        return ""
    try:
        _, procedure = deliberation.template_by_id(session, matter.template_id)
        names = procedure.stage(matter.stage_id).names
    except DomainError:
        return matter.stage_id
    return names.en if language == "en" else names.zh_Hans


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """Every village and community, under its street, with its notices on display."""
    regions = list(
        session.scalars(
            select(Region).where(Region.level.in_(("street", "community"))).order_by(Region.code)
        )
    )
    streets = {r.code: r for r in regions if r.level == "street"}
    on_display = dict(
        session.execute(
            select(Notice.region_code, func.count())
            .where(Notice.state == NoticeState.POSTED.value, Notice.channels.contains("portal"))
            .group_by(Notice.region_code)
        ).all()
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for region in regions:
        if region.level != "community":
            continue
        groups[region.parent_code or ""].append(
            {"region": region, "posted": on_display.get(region.code, 0)}
        )
    context = {
        "groups": [
            (streets[code].name if code in streets else "", code, items)
            for code, items in groups.items()
        ],
    }
    return render(request, "deliberation/portal.html", context)


def _portal_matters(
    session: Session, region: Region, language: str, tz: ZoneInfo
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The region's last hundred matters, those in progress and those decided, with
    their (masked) titles as the public portal shows them."""
    matter_query = select(Matter).order_by(Matter.updated_at.desc(), Matter.id.desc()).limit(100)
    if region.level == "community":
        matter_query = matter_query.where(Matter.region_code == region.code)
    else:
        matter_query = matter_query.where(Matter.region_code.startswith(region.code))
    matters = list(session.scalars(matter_query))
    in_progress = [
        {
            "matter": m,
            # a matter's title is public; anything personal in it is masked all the same
            "title": rules.mask_personal_data(m.title),
            "stage": _stage_name(session, m, language),
            "updated": local_time(m.updated_at, tz),
        }
        for m in matters
        if m.state == MatterState.OPEN.value
    ]
    decided = [
        {
            "matter": m,
            "title": rules.mask_personal_data(m.title),
            "updated": local_time(m.updated_at, tz),
        }
        for m in matters
        if m.state in (MatterState.COMPLETED.value, MatterState.REJECTED.value)
    ]
    return in_progress, decided


@router.get("/portal/{region_code}", response_class=HTMLResponse)
def portal_region(
    request: Request,
    region_code: RegionCode,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: OptionalUser,
) -> HTMLResponse:
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None or region.level == "grid":
        error = NotFound("There is no village or community %(code)s.", params={"code": region_code})
        return error_page(request, "deliberation/notice_missing.html", error)
    language = language_of(request)
    tz = ZoneInfo(state.settings.timezone)
    rows = notices.notices_for(
        session, region.code, include_children=region.level != "community", portal_only=True
    )

    def item(notice: Notice) -> dict[str, Any]:
        return {
            "notice": notice,
            "lang": html_lang(notice.language),
            "posted": local_time(notice.posted_at, tz),
            "closes": local_time(notice.closes_at, tz),
            "left": remaining(notice.closes_at, now),
            "objections_open": notices.objections_open(notice, now),
        }

    current = [item(n) for n in rows if n.state == NoticeState.POSTED.value]
    closed = [n for n in rows if n.state == NoticeState.CLOSED.value]
    results = [item(n) for n in closed if n.kind in {k.value for k in RESULT_KINDS}]
    past = [item(n) for n in closed if n.kind not in {k.value for k in RESULT_KINDS}]
    in_progress, decided = _portal_matters(session, region, language, tz)
    children = list(
        session.scalars(
            select(Region)
            .where(Region.parent_code == region.code, Region.level.in_(("street", "community")))
            .order_by(Region.code)
        )
    )
    parent = (
        session.scalar(select(Region).where(Region.code == region.parent_code))
        if region.parent_code
        else None
    )
    context = {
        "region": region,
        "parent": parent,
        "children": children,
        "current": current,
        "results": results,
        "past": past,
        "in_progress": in_progress,
        "decided": decided,
        "community": region.level == "community",
    }
    return render(request, "deliberation/portal_region.html", context)
