"""Indicator pages on both engines: the league table, the scorecard, computing from the
page, manual assessments with a second reviewer, and the downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.db import Database
from gridgov.indicators import service
from gridgov.indicators.models import Assessment, IndicatorScore, IndicatorSnapshot
from gridgov.indicators.pages import formula_words, metric_label
from gridgov.web import i18n
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, csrf_of, make_user, page_login
from tests.indicators.factories import (
    GRID_1,
    GRID_2,
    GRID_3,
    OCTOBER,
    TZ,
    compute_october,
    make_indicators_world,
)

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
DISTRICT = "440512"
DAHAO = "440512001"  # 达濠街道: grids 1 and 2
GUANGAO = "440512002"  # 广澳街道: grid 3
BRANCH_1 = "P" + GRID_1
PROVISIONAL_NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # October not settled yet
PDF = b"%PDF-1.4\n% minutes of the branch meeting\n"
ROW = re.compile(
    r'<tr data-unit="(?P<unit>[^"]+)">\s*<td class="num rank">(?P<rank>\d+)</td>.*?'
    r'<td class="num total">(?P<total>[0-9.]+)</td>',
    re.S,
)


@pytest.fixture
def world(db: Database) -> None:
    make_indicators_world(db)
    make_user(db, "li.leader", "leader", DISTRICT)
    make_user(db, "wang.leader", "leader", DISTRICT)
    make_user(db, "zhao.dispatcher", "dispatcher", DAHAO)


def league_rows(html: str) -> list[tuple[str, int, str]]:
    return [(m["unit"], int(m["rank"]), m["total"]) for m in ROW.finditer(html)]


def expected_rows(db: Database, key: str, league: str, scope: str) -> list[tuple[str, int, str]]:
    with db.session() as session:
        snapshot = service.snapshot_for(session, key, OCTOBER)
        assert snapshot is not None
        table = service.league_table(session, snapshot, league, scope)
        return [(s.unit, s.rank, f"{s.total:.2f}") for s in table]


def total_of(db: Database, key: str, unit: str) -> float:
    with db.session() as session:
        snapshot = service.snapshot_for(session, key, OCTOBER)
        assert snapshot is not None
        return session.scalars(
            select(IndicatorScore.total).where(
                IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.unit == unit
            )
        ).one()


def switch_user(client: TestClient, username: str) -> None:
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    page_login(client, username)


def assessment_of(db: Database, unit: str, indicator: str) -> Assessment:
    with db.session() as session:
        return session.scalars(
            select(Assessment).where(Assessment.unit == unit, Assessment.indicator_id == indicator)
        ).one()


def score(client: TestClient, points: str, *, unit: str = BRANCH_1) -> httpx2.Response:
    token = csrf_of(client, f"/indicators/assessments?tree=org_strength&period={OCTOBER}")
    return client.post(
        "/indicators/assessments/score",
        data={
            "csrf_token": token,
            "tree": "org_strength",
            "period": OCTOBER,
            "indicator": "study",
            "unit": unit,
            "points": points,
            "evidence": "三会一课记录和签到表齐全",
        },
        files=[("attachment", ("会议记录.pdf", PDF, "application/pdf"))],
        headers=EN,
    )


def review(
    client: TestClient, assessment_id: int, decision: str, note: str = ""
) -> httpx2.Response:
    token = csrf_of(client, f"/indicators/assessments?tree=org_strength&period={OCTOBER}")
    return client.post(
        f"/indicators/assessments/{assessment_id}/review",
        data={"csrf_token": token, "decision": decision, "note": note},
        headers=EN,
    )


def compute(client: TestClient, key: str, period: str = OCTOBER) -> httpx2.Response:
    token = csrf_of(client, "/indicators")
    return client.post(
        "/indicators/compute",
        data={"csrf_token": token, "tree": key, "period": period},
        headers=EN,
    )


# ---------------------------------------------------------------- the league table


def test_a_leader_sees_the_grid_league_in_rank_order(
    client: TestClient, db: Database, world: None
) -> None:
    # Given October computed for the three rates
    compute_october(db)
    page_login(client, "li.leader")
    # When the leader opens the grid league
    page = client.get(f"/indicators?tree=three_rates&period={OCTOBER}&league=grid", headers=EN)
    # then every grid is listed in rank order with its total from the snapshot
    assert page.status_code == 200
    rows = league_rows(page.text)
    assert rows == expected_rows(db, "three_rates", "grid", DISTRICT)
    assert [unit for unit, _rank, _total in rows] == [GRID_2, GRID_3, GRID_1]
    # grid 2 answered, solved and satisfied every case: full marks, by hand
    assert rows[0] == (GRID_2, 1, "100.00")
    assert "band-green" in page.text
    assert "band-red" in page.text
    assert "final" in page.text  # October settled before FIXED_NOW
    assert page.text.count(">New entry</td>") == 3  # nothing computed for September
    assert f'href="/indicators/three_rates/{OCTOBER}/{GRID_1}"' in page.text
    assert f'href="/indicators/three_rates/{OCTOBER}.xlsx"' in page.text
    assert 'action="/indicators/compute"' in page.text


def test_the_table_shows_the_movement_since_the_last_period(
    client: TestClient, db: Database, world: None
) -> None:
    # Given September computed first: no cases, so every grid ties for first place
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
        service.compute(
            session, key="three_rates", period="2026-09", now=FIXED_NOW, actor=SYSTEM, tz=TZ
        )
    compute_october(db)
    page_login(client, "li.leader")
    # When the leader opens October's grid league
    page = client.get(f"/indicators?tree=three_rates&period={OCTOBER}&league=grid", headers=EN)
    # then each grid shows the places it moved since September
    with db.session() as session:
        snapshot = service.snapshot_for(session, "three_rates", OCTOBER)
        assert snapshot is not None
        table = service.league_table(session, snapshot, "grid", DISTRICT)
    assert all(s.previous_rank == 1 for s in table)
    for s in table:
        row = re.search(rf'<tr data-unit="{s.unit}">(.*?)</tr>', page.text, re.S)
        assert row, s.unit
        shown = "–" if s.rank == 1 else f"▼{s.rank - 1}"
        assert f">{shown}</td>" in row.group(1)
    assert "New entry" not in page.text


def test_a_street_user_sees_only_the_units_of_their_street(
    client: TestClient, db: Database, world: None
) -> None:
    # Given October computed and a dispatcher of 达濠街道
    compute_october(db)
    page_login(client, "zhao.dispatcher")
    # When they open the grid league
    page = client.get(f"/indicators?tree=three_rates&period={OCTOBER}&league=grid", headers=EN)
    # then only the street's two grids show, with their district-wide ranks
    assert page.status_code == 200
    rows = league_rows(page.text)
    assert rows == expected_rows(db, "three_rates", "grid", DAHAO)
    assert {unit for unit, _rank, _total in rows} == {GRID_1, GRID_2}
    assert GRID_3 not in page.text
    # and no compute form: only leaders and administrators compute
    assert 'action="/indicators/compute"' not in page.text
    # and another street's scorecard does not exist for them
    hidden = client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_3}", headers=EN)
    assert hidden.status_code == 404


def test_residents_and_strangers_are_refused(client: TestClient, db: Database, world: None) -> None:
    compute_october(db)
    assert client.get("/indicators").status_code == 303  # to the login page
    make_user(db, "chen.resident", "resident", GRID_1)
    page_login(client, "chen.resident")
    assert client.get("/indicators").status_code == 403
    assert client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_1}").status_code == 403
    assert client.get(f"/indicators/three_rates/{OCTOBER}.csv").status_code == 403
    assert client.get("/indicators/assessments").status_code == 403


# ---------------------------------------------------------------- the scorecard


def test_the_scorecard_shows_raw_values_and_formulas(
    client: TestClient, db: Database, world: None
) -> None:
    # Given October computed; grid 1: response 3/4, resolution 2/4, satisfaction 2/3
    compute_october(db)
    page_login(client, "li.leader")
    # When the leader opens grid 1's scorecard
    page = client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_1}", headers=EN)
    assert page.status_code == 200
    # then each leaf shows its rate as a percentage and its formula
    with db.session() as session:
        _row, tree = service.get_tree(session, "three_rates")
    for leaf_id, shown in (
        ("response", "75.0%"),
        ("resolution", "50.0%"),
        ("satisfaction", "66.7%"),
    ):
        found = re.search(
            rf'<tr class="leaf" data-indicator="{leaf_id}">(.*?)</tr>', page.text, re.S
        )
        assert found, leaf_id
        leaf = tree.find(leaf_id)
        assert leaf is not None
        assert shown in found.group(1)
        assert leaf.formula() in found.group(1)
    assert f"{total_of(db, 'three_rates', GRID_1):.2f}" in page.text
    assert "青篮社区第1网格" in page.text
    assert f'href="/indicators/three_rates/{OCTOBER}/{GRID_1}.xlsx"' in page.text


def test_a_chinese_scorecard_names_each_metric_and_words_its_formula(
    client: TestClient, db: Database, world: None
) -> None:
    # Given October computed
    compute_october(db)
    page_login(client, "li.leader")
    # When the leader opens grid 1's three-rate scorecard in Chinese
    page = client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_1}", headers=ZH)
    assert page.status_code == 200
    # Then each leaf's metric is its label (the key only in a tooltip), beside its formula
    for leaf_id, metric, label in (
        ("response", "response_rate", "响应率"),
        ("resolution", "resolution_rate", "解决率"),
        ("satisfaction", "satisfaction_rate", "满意率"),
    ):
        found = re.search(
            rf'<tr class="leaf" data-indicator="{leaf_id}">(.*?)</tr>', page.text, re.S
        )
        assert found, leaf_id
        row = found.group(1)
        assert f'<td class="metric"><span title="{metric}">{label}</span></td>' in row
        assert f">{metric}<" not in row
        assert "× min(1, 原始值 / 1)</code>" in row
        assert "raw /" not in row


def test_a_tree_s_own_metric_reads_as_the_labels_of_its_counts() -> None:
    # Given a tree's derived metric that has no label of its own
    derived = {"voice_per_100_households": "cases / households * 100"}
    gettext = i18n.translations("zh_Hans").gettext
    # Then it reads as the labels of what it divides; a formula's words are translated
    assert metric_label("voice_per_100_households", derived, gettext) == "案件数 / 住户 × 100"
    assert metric_label("resolution_rate", derived, gettext) == "解决率"
    assert metric_label("made_up", derived, gettext) == "made_up"
    assert metric_label("manual", derived, gettext) == "人工评分"
    assert (
        formula_words("10 × (≥ 0.9: 10; ≥ 0.8: 6; else 0)", gettext)
        == "10 × (≥ 0.9: 10; ≥ 0.8: 6; 否则 0)"
    )
    assert formula_words("max(0, 5 − (−1 from #2))", gettext) == "max(0, 5 − (−1 自第2次起))"


def test_a_unit_without_data_shows_the_note_of_the_league_mean(
    client: TestClient, db: Database, world: None
) -> None:
    # Given grid 3 had no cases in October
    compute_october(db)
    page_login(client, "li.leader")
    page = client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_3}", headers=EN)
    # then its leaves say the league mean stands in
    assert page.status_code == 200
    assert "No data: league mean" in page.text
    assert "Totals by period" in page.text


# ---------------------------------------------------------------- computing


def test_a_leader_computes_a_period_from_the_page(
    client: TestClient, db: Database, world: None
) -> None:
    # Given nothing computed yet
    page_login(client, "li.leader")
    empty = client.get("/indicators", headers=EN)
    assert "Nothing has been computed for this tree yet." in empty.text
    assert 'action="/indicators/compute"' in empty.text
    # When the leader computes October without the form's token
    refused = client.post(
        "/indicators/compute", data={"tree": "three_rates", "period": OCTOBER}, headers=EN
    )
    # then nothing is computed
    assert refused.status_code == 403
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(IndicatorSnapshot)) == 0
    # When they compute it with the token
    done = compute(client, "three_rates")
    # then the snapshot is stored, by them, and they are sent to its table
    assert done.status_code == 303
    assert done.headers["location"] == f"/indicators?tree=three_rates&period={OCTOBER}"
    with db.session() as session:
        snapshot = service.snapshot_for(session, "three_rates", OCTOBER)
        assert snapshot is not None
        assert snapshot.computed_by == "li.leader"
        assert snapshot.final
    table = client.get(done.headers["location"], headers=EN)
    assert len(league_rows(table.text)) > 0
    assert "li.leader" in table.text


def test_a_bad_period_is_shown_and_a_dispatcher_may_not_compute(
    client: TestClient, db: Database, world: None
) -> None:
    page_login(client, "li.leader")
    bad = compute(client, "three_rates", "2026-13")
    assert bad.status_code == 422 or bad.status_code == 400
    assert 'class="alert"' in bad.text
    switch_user(client, "zhao.dispatcher")
    token = csrf_of(client, "/indicators")
    refused = client.post(
        "/indicators/compute",
        data={"csrf_token": token, "tree": "three_rates", "period": OCTOBER},
    )
    assert refused.status_code == 403


# ---------------------------------------------------------------- manual assessments


def test_a_confirmed_score_changes_the_total_after_recomputation(
    client: TestClient, db: Database, world: None
) -> None:
    # Given October's organisational strength computed while still provisional
    compute_october(db, "org_strength", now=PROVISIONAL_NOW)
    before = total_of(db, "org_strength", BRANCH_1)
    page_login(client, "li.leader")
    listing = client.get(f"/indicators/assessments?tree=org_strength&period={OCTOBER}", headers=EN)
    assert listing.status_code == 200
    assert f'data-unit="{BRANCH_1}" data-indicator="study"' in listing.text
    # When one leader scores the branch's meetings 4 of 10 with a file
    scored = score(client, "4")
    assert scored.status_code == 303
    pending = assessment_of(db, BRANCH_1, "study")
    assert (pending.state, pending.points, pending.scored_by) == ("pending", 4.0, "li.leader")
    # then they are not offered to confirm it themselves
    own = client.get(f"/indicators/assessments?tree=org_strength&period={OCTOBER}", headers=EN)
    assert f'action="/indicators/assessments/{pending.id}/review"' not in own.text
    # When a second leader confirms it
    switch_user(client, "wang.leader")
    other = client.get(f"/indicators/assessments?tree=org_strength&period={OCTOBER}", headers=EN)
    assert f'action="/indicators/assessments/{pending.id}/review"' in other.text
    confirmed = review(client, pending.id, "confirm")
    assert confirmed.status_code == 303
    assert assessment_of(db, BRANCH_1, "study").state == "confirmed"
    # and October is computed again
    assert compute(client, "org_strength").status_code == 303
    # then the branch has 4 points where an unscored item had none
    assert total_of(db, "org_strength", BRANCH_1) == pytest.approx(before + 4)
    # and the evidence file is served as a download
    attachment = client.get(f"/indicators/assessments/{pending.id}/attachment")
    assert attachment.status_code == 200
    assert attachment.content == PDF
    assert attachment.headers["content-type"] == "application/pdf"
    assert attachment.headers["content-disposition"].startswith("attachment;")


def test_the_scorer_cannot_confirm_their_own_score(
    client: TestClient, db: Database, world: None
) -> None:
    # Given a leader's pending score
    compute_october(db, "org_strength", now=PROVISIONAL_NOW)
    page_login(client, "li.leader")
    assert score(client, "8").status_code == 303
    pending = assessment_of(db, BRANCH_1, "study")
    # When the same leader confirms it
    response = review(client, pending.id, "confirm")
    # then the page says why, and the score still waits
    assert response.status_code == 409
    assert 'class="alert"' in response.text
    assert "you scored this item yourself" in response.text
    assert assessment_of(db, BRANCH_1, "study").state == "pending"


def test_scores_out_of_range_or_by_others_are_refused(
    client: TestClient, db: Database, world: None
) -> None:
    compute_october(db, "org_strength", now=PROVISIONAL_NOW)
    page_login(client, "li.leader")
    # More points than the item's weight: the page explains, nothing is stored
    too_many = score(client, "11")
    assert too_many.status_code == 422 or too_many.status_code == 400
    assert "Points must be between 0 and 10." in too_many.text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 0
    # A dispatcher sees the list but may not score
    switch_user(client, "zhao.dispatcher")
    listing = client.get(f"/indicators/assessments?tree=org_strength&period={OCTOBER}", headers=EN)
    assert listing.status_code == 200
    assert 'action="/indicators/assessments/score"' not in listing.text
    assert f'data-unit="P{GRID_3}"' not in listing.text  # another street's branch
    assert score(client, "5").status_code == 403


def test_an_evidence_file_outside_the_area_is_not_found(
    client: TestClient, db: Database, world: None
) -> None:
    # Given a score on the branch of grid 3 (广澳街道) with a file
    compute_october(db, "org_strength", now=PROVISIONAL_NOW)
    page_login(client, "li.leader")
    assert score(client, "5", unit="P" + GRID_3).status_code == 303
    row = assessment_of(db, "P" + GRID_3, "study")
    # When the dispatcher of 达濠街道 asks for it, then it does not exist for them
    switch_user(client, "zhao.dispatcher")
    assert client.get(f"/indicators/assessments/{row.id}/attachment").status_code == 404


# ---------------------------------------------------------------- downloads


def test_downloads_have_their_types_and_file_names(
    client: TestClient, db: Database, world: None
) -> None:
    compute_october(db)
    page_login(client, "zhao.dispatcher")
    workbook = client.get(f"/indicators/three_rates/{OCTOBER}.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="three_rates-{OCTOBER}.xlsx"' in workbook.headers["content-disposition"]
    assert workbook.content[:2] == b"PK"  # a zip file
    table = client.get(f"/indicators/three_rates/{OCTOBER}.csv")
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    assert f'filename="three_rates-{OCTOBER}.csv"' in table.headers["content-disposition"]
    cells = {c for row in csv.reader(io.StringIO(table.content.decode("utf-8-sig"))) for c in row}
    assert {GRID_1, GRID_2} <= cells
    assert GRID_3 not in cells  # the dispatcher's street only
    card = client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_1}.xlsx")
    assert card.status_code == 200
    assert card.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="three_rates-{OCTOBER}-{GRID_1}.xlsx"' in card.headers["content-disposition"]
    assert client.get(f"/indicators/three_rates/{OCTOBER}/{GRID_3}.xlsx").status_code == 404
    assert client.get("/indicators/three_rates/2026-09.csv").status_code == 404
