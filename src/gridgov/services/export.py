"""Coverage as an XLSX workbook: regions, points, uncovered places, for the ledger."""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from gridgov.registry.imports import first_sheet, workbook_bytes
from gridgov.services import circle, service
from gridgov.services.models import CoverageSnapshot
from gridgov.territory import service as territory


def coverage_xlsx(
    session: Session,
    snapshot: CoverageSnapshot,
    *,
    scope: str | None,
    gettext: Callable[[str], str],
    names: dict[str, str],
) -> bytes:
    _ = gettext
    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = _("Coverage")[:31]
    sheet.append(
        [_("Region code"), _("Region"), _("Households"), _("Within the threshold"), _("Share")]
    )
    for region in circle.coverage_by_region(snapshot, scope):
        sheet.append(
            [
                region.code,
                names.get(region.code, ""),
                region.households,
                region.covered,
                round(region.share, 4) if region.share is not None else None,
            ]
        )
    points = book.create_sheet(_("Service points")[:31])
    points.append(
        [
            _("Code"),
            _("Name"),
            _("Kind"),
            _("Region code"),
            _("Address"),
            _("Opening hours"),
            _("Staff"),
            _("Open"),
        ]
    )
    for p in service.list_points(session, scope=scope):
        points.append(
            [
                p.code,
                p.name,
                _(p.kind),
                p.region_code,
                p.address,
                p.opening_hours,
                p.staff,
                _("yes") if p.active else _("no"),
            ]
        )
    far = book.create_sheet(_("Uncovered places")[:31])
    far.append([_("Grid"), _("Longitude"), _("Latitude"), _("Households"), _("Minutes on foot")])
    for spot in circle.uncovered_spots(session, snapshot, scope, limit=100_000):
        far.append([spot["grid"], spot["lon"], spot["lat"], spot["households"], spot["minutes"]])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    return workbook_bytes(book)


def region_names(session: Session) -> dict[str, str]:
    """Every region's name by code (the coverage tables name grids and regions)."""
    return territory.region_names(session)
