"""Importing, exporting and locating the territory on both engines, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.audit.models import AuditEvent
from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.demo.geography import Area, Territory, build_territory
from gridgov.errors import InvalidInput
from gridgov.territory import geo
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from tests.audit.test_service import _cli_env
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM

REGION_COUNT = 1 + 7 + 61 + 269
SEA = (116.60, 23.20)


@pytest.fixture(scope="module")
def demo() -> Territory:
    return build_territory(1)


def import_document(db: Database, document: dict[str, Any]) -> territory.ImportResult:
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=document)
        assert checked.ok, checked.problems[:5]
        return territory.do_import_geojson(
            session, actor=SYSTEM, checked=checked, now=FIXED_NOW, source="demo.geojson"
        )


def audit_actions(db: Database, action: str) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def region_count(db: Database) -> int:
    with db.session() as session:
        return territory.count_regions(session)


def version(db: Database) -> int:
    with db.session() as session:
        return territory.territory_version(session)


def interior_site(grid: Area) -> tuple[float, float]:
    for site in grid.sites:
        if grid.geometry.contains(Point(site.lon, site.lat)):
            return site.lon, site.lat
    raise AssertionError(f"grid {grid.code} has no site strictly inside it")


# ---------------------------------------------------------------- service


def test_importing_the_demo_writes_every_region(db: Database, demo: Territory) -> None:
    before = version(db)
    result = import_document(db, demo.feature_collection())
    assert (result.created, result.updated) == (REGION_COUNT, 0)
    assert region_count(db) == REGION_COUNT
    assert version(db) == before + 1
    (row,) = audit_actions(db, "territory.imported")
    assert row.object_type == "territory"
    assert json.loads(row.summary) == {
        "created": REGION_COUNT,
        "updated": 0,
        "source": "demo.geojson",
    }
    with db.session() as session:
        counts = dict(
            session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
        )
        grid = demo.grids[0]
        stored = session.scalars(select(Region).where(Region.code == grid.code)).one()
    assert counts == {"district": 1, "street": 7, "community": 61, "grid": 269}
    assert stored.parent_code == grid.parent_code
    assert stored.geometry is not None
    assert shapely.from_wkb(stored.geometry).equals(grid.geometry)
    assert stored.area_m2 == pytest.approx(geo.area_m2(grid.geometry))
    assert stored.min_lon == pytest.approx(grid.geometry.bounds[0])
    assert stored.centroid_lon is not None
    assert stored.centroid_lat is not None
    assert grid.geometry.intersects(Point(stored.centroid_lon, stored.centroid_lat))


def test_a_file_with_one_bad_feature_writes_nothing(db: Database, demo: Territory) -> None:
    document = demo.feature_collection()
    bad = 100
    code = document["features"][bad]["properties"]["code"]
    document["features"][bad]["geometry"] = {"type": "Point", "coordinates": [116.7, 23.28]}
    before = version(db)
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=document)
        assert [(p.index, p.code) for p in checked.problems] == [(bad, code)]
        assert "Point" in checked.problems[0].reason
        with pytest.raises(InvalidInput):
            territory.do_import_geojson(session, actor=SYSTEM, checked=checked, now=FIXED_NOW)
    assert region_count(db) == 0
    assert version(db) == before
    assert audit_actions(db, "territory.imported") == []


def test_a_bad_import_leaves_an_existing_territory_as_it_was(db: Database, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    document = demo.feature_collection()
    # A second grid drawn over the first grid of the district.
    first = demo.grids[0]
    intruder = _feature_of(first, first.geometry, name="重叠网格")
    intruder["properties"]["code"] = first.code[:12] + "99"
    document["features"].append(intruder)
    with db.session() as session:
        checked = territory.check_import_geojson(session, document=document)
    assert [(p.code, p.reason.split(" by ")[0]) for p in checked.problems] == [
        (first.code, f"overlaps sibling {first.code[:12]}99")
    ]
    assert region_count(db) == REGION_COUNT
    assert len(audit_actions(db, "territory.imported")) == 1


def _move_edge(a: BaseGeometry, b: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry, Point]:
    """Give ``a`` a small square of ``b`` where they meet; the union stays the same."""
    edge = a.intersection(b)
    middle = edge.interpolate(0.5, normalized=True)
    piece = box(middle.x - 5e-4, middle.y - 5e-4, middle.x + 5e-4, middle.y + 5e-4).intersection(b)
    inside_piece = piece.representative_point()
    return a.union(piece), b.difference(piece), inside_piece


def _sibling_pair(demo: Territory) -> tuple[Area, Area]:
    for i, a in enumerate(demo.grids):
        for b in demo.grids[i + 1 :]:
            if a.parent_code != b.parent_code:
                break
            edge = a.geometry.intersection(b.geometry)
            if edge.geom_type == "LineString" and edge.length > 0.003:
                return a, b
    raise AssertionError("no sibling grids share a long edge")


def test_reimporting_updates_in_place(db: Database, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    with db.session() as session:
        ids = dict(session.execute(select(Region.code, Region.id)).all())
    # Every name changed: all updated, none created.
    renamed = demo.feature_collection()
    for feature in renamed["features"]:
        feature["properties"]["name"] += "（新）"
    result = import_document(db, renamed)
    assert (result.created, result.updated) == (0, REGION_COUNT)
    # Two neighbouring grids move the edge between them; only they are in the file.
    a, b = _sibling_pair(demo)
    new_a, new_b, moved = _move_edge(a.geometry, b.geometry)
    pair = {
        "type": "FeatureCollection",
        "features": [
            _feature_of(a, new_a, name="东片"),
            _feature_of(b, new_b, name="西片"),
        ],
    }
    result = import_document(db, pair)
    assert (result.created, result.updated) == (0, 2)
    with db.session() as session:
        assert dict(session.execute(select(Region.code, Region.id)).all()) == ids
        assert territory.count_regions(session) == REGION_COUNT
        stored = {r.code: r for r in session.scalars(select(Region))}
        assert stored[demo.district.code].name == demo.district.name + "（新）"
        assert stored[a.code].name == "东片"
        assert stored[b.code].name == "西片"
        for grid, geometry in ((a, new_a), (b, new_b)):
            blob = stored[grid.code].geometry
            assert blob is not None
            assert shapely.from_wkb(blob).equals(geometry)
            assert stored[grid.code].area_m2 == pytest.approx(geo.area_m2(geometry))
        grown = stored[a.code].area_m2
        assert grown is not None
        assert grown > geo.area_m2(a.geometry)
        # The locator follows: the moved piece now belongs to ``a``.
        location = territory.get_locator(session).locate(moved.x, moved.y)
    assert location.grid is not None
    assert location.grid.code == a.code
    assert len(audit_actions(db, "territory.imported")) == 3


def _feature_of(area: Area, geometry: BaseGeometry, *, name: str) -> dict[str, Any]:
    feature = area.feature()
    feature["properties"]["name"] = name
    feature["geometry"] = json.loads(shapely.to_geojson(geometry))
    return feature


def test_the_locator_is_rebuilt_only_after_a_change(db: Database, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    with db.session() as session:
        first = territory.get_locator(session)
        assert territory.get_locator(session) is first
    with db.session() as session:
        assert territory.get_locator(session) is first
    assert len(first) == 269
    with db.transaction() as session:
        territory.do_create_region(
            session,
            actor=SYSTEM,
            code="440512099",
            name="测试街道",
            level="street",
            parent_code="440512",
            now=FIXED_NOW,
        )
    with db.session() as session:
        second = territory.get_locator(session)
        assert second is not first
        assert territory.get_locator(session) is second
    assert "440512099" in second.by_code
    assert "440512099" not in first.by_code


def test_the_locator_of_the_database_answers_like_the_demo(db: Database, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    grid = demo.grids[42]
    with db.session() as session:
        locator = territory.get_locator(session)
    location = locator.locate(*interior_site(grid))
    assert location.grid is not None
    assert location.grid.code == grid.code
    assert [a.code for a in location.ancestors] == [grid.code[:6], grid.code[:9], grid.code[:12]]


# ---------------------------------------------------------------- CLI


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    _cli_env(monkeypatch, settings)
    monkeypatch.setenv("COLUMNS", "200")  # keep Rich from wrapping the problem table
    return CliRunner()


@pytest.fixture
def demo_file(tmp_path: Path, demo: Territory) -> Path:
    path = tmp_path / "haojiang.geojson"
    path.write_text(json.dumps(demo.feature_collection(), ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_dry_run_writes_nothing(db: Database, runner: CliRunner, demo_file: Path) -> None:
    result = runner.invoke(cli, ["territory", "import", str(demo_file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{REGION_COUNT} feature(s), no problems" in result.output
    assert region_count(db) == 0
    assert version(db) == 0
    assert audit_actions(db, "territory.imported") == []


def test_cli_imports_a_file(db: Database, runner: CliRunner, demo_file: Path) -> None:
    result = runner.invoke(cli, ["territory", "import", str(demo_file)])
    assert result.exit_code == 0, result.output
    assert f"{REGION_COUNT} created, 0 updated" in result.output
    assert region_count(db) == REGION_COUNT
    assert len(audit_actions(db, "territory.imported")) == 1


def test_cli_names_the_bad_feature_and_exits_1(
    db: Database, runner: CliRunner, demo: Territory, tmp_path: Path
) -> None:
    document = demo.feature_collection()
    bad = 137
    code = document["features"][bad]["properties"]["code"]
    document["features"][bad]["properties"]["name"] = ""
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(cli, ["territory", "import", str(path)])
    assert result.exit_code == 1, result.output
    row = next(line for line in result.output.splitlines() if code in line)
    assert str(bad) in row
    assert "missing name" in row
    assert region_count(db) == 0
    assert audit_actions(db, "territory.imported") == []


def test_cli_exports_every_region(
    db: Database, runner: CliRunner, demo: Territory, tmp_path: Path
) -> None:
    import_document(db, demo.feature_collection())
    out = tmp_path / "out.geojson"
    result = runner.invoke(cli, ["territory", "export", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert len(document["features"]) == REGION_COUNT
    exported = {f["properties"]["code"]: f["properties"] for f in document["features"]}
    for area in demo.all():
        properties = exported[area.code]
        assert {"code", "name", "level", "parent_code"} <= properties.keys()
        assert (properties["name"], properties["level"], properties["parent_code"]) == (
            area.name,
            area.level,
            area.parent_code,
        )
    # What was exported imports again: every region updated, none created.
    with db.session() as session:
        checked = territory.check_import_geojson(session, document=document)
    assert checked.ok, checked.problems[:5]


def test_cli_locates_a_point_inside(db: Database, runner: CliRunner, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    grid = demo.grids[7]
    lon, lat = interior_site(grid)
    result = runner.invoke(cli, ["territory", "locate", str(lon), str(lat)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{grid.code} {grid.name}")


def test_cli_locates_a_point_outside(db: Database, runner: CliRunner, demo: Territory) -> None:
    import_document(db, demo.feature_collection())
    with db.session() as session:
        nearest = territory.get_locator(session).locate(*SEA).nearest
    assert nearest is not None
    result = runner.invoke(cli, ["territory", "locate", str(SEA[0]), str(SEA[1])])
    assert result.exit_code == 3, result.output
    assert result.output.startswith("outside")
    assert f"nearest grid {nearest.code}" in result.output
    assert " m" in result.output


def test_cli_locate_on_an_empty_territory(db: Database, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["territory", "locate", "116.7", "23.28"])
    assert result.exit_code == 3, result.output
    assert "no grids are known" in result.output
