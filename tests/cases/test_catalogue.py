"""The category catalogue: the shipped default, and every way an entry is refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from gridgov.cases.catalogue import (
    Catalogue,
    Deadline,
    StartLevel,
    Unit,
    Urgency,
    load,
    load_default,
    parse,
)

GROUPS = {
    "C01": "公用设施",
    "C02": "道路交通",
    "C03": "市容环境",
    "C04": "园林绿化",
    "C05": "房屋土地",
    "C06": "其他设施",
    "E01": "市容环境",
    "E02": "宣传广告",
    "E03": "施工管理",
    "E04": "突发事件",
    "E05": "街面秩序",
    "E06": "其他事件",
    "S01": "矛盾纠纷",
    "S02": "治安隐患",
    "S03": "安全生产",
    "S04": "消防",
    "S05": "民生服务",
    "S06": "疫情防控",
    "S07": "咨询建议",
}
# The district departments a category may start at (汕头市濠江 + name in the demo).
DEPARTMENTS = {
    "区住房和城乡建设局",
    "区水务局",
    "区城市管理和综合执法局",
    "区应急管理局",
    "区公安分局",
    "区市场监督管理局",
    "区生态环境分局",
    "区交通运输局",
    "区民政局",
    "区卫生健康局",
    "区人力资源和社会保障局",
}
# 12345 service levels: (response, resolution) by urgency.
SERVICE_LEVELS = {
    Urgency.EMERGENCY: (Deadline(2, Unit.HOURS), Deadline(24, Unit.HOURS)),
    Urgency.UTILITY: (Deadline(2, Unit.WORKING_HOURS), Deadline(24, Unit.HOURS)),
    Urgency.GENERAL: (Deadline(1, Unit.WORKING_DAYS), Deadline(7, Unit.WORKING_DAYS)),
    Urgency.COMPLEX: (Deadline(2, Unit.WORKING_DAYS), Deadline(15, Unit.WORKING_DAYS)),
}


def _document() -> dict[str, Any]:
    text = resources.files("gridgov.cases").joinpath("data/categories.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def test_the_default_catalogue_parses_without_problems() -> None:
    catalogue, problems = parse(_document())
    assert problems == []
    assert isinstance(catalogue, Catalogue)
    assert {g.code: g.name_zh for g in catalogue.groups()} == GROUPS
    for group in catalogue.groups():
        children = catalogue.children(group.code)
        assert 3 <= len(children) <= 8, group.code
        assert all(c.code.startswith(group.code) and len(c.code) == 5 for c in children)
        assert group.response is None
        assert group.urgency is None
    assert len(catalogue.leaves()) == sum(len(catalogue.children(g)) for g in GROUPS)


def test_the_default_catalogue_round_trips() -> None:
    catalogue = load_default()
    assert catalogue is load_default()
    assert catalogue.to_document() == _document()
    assert load(json.dumps(catalogue.to_document())).to_document() == _document()


def test_leaves_follow_the_service_levels_and_name_district_departments() -> None:
    for leaf in load_default().leaves():
        assert leaf.urgency is not None, leaf.code
        assert (leaf.response, leaf.resolution) == SERVICE_LEVELS[leaf.urgency], leaf.code
        assert (leaf.start_level is StartLevel.DEPARTMENT) == (leaf.department is not None)
        assert leaf.department is None or leaf.department in DEPARTMENTS, leaf.code
        assert leaf.name_zh
        assert leaf.name_en


@pytest.mark.parametrize(
    ("code", "name", "level", "grid_allowed"),
    [
        pytest.param("C0101", "井盖", StartLevel.DEPARTMENT, False, id="manhole"),
        pytest.param("E0101", "暴露垃圾", StartLevel.GRID, True, id="litter"),
        pytest.param("E0201", "非法小广告", StartLevel.GRID, True, id="small-ads"),
        pytest.param("S0101", "邻里纠纷", StartLevel.GRID, True, id="neighbours"),
        pytest.param("S0401", "消防通道堵塞", StartLevel.GRID, True, id="fire-lane"),
        pytest.param("E0401", "道路塌陷", StartLevel.DEPARTMENT, False, id="road-collapse"),
        pytest.param("E0402", "燃气泄漏", StartLevel.DEPARTMENT, False, id="gas-leak"),
        pytest.param("S0103", "劳资纠纷", StartLevel.STREET, False, id="labour"),
        pytest.param("S0201", "治安隐患", StartLevel.DEPARTMENT, False, id="public-security"),
    ],
)
def test_routing_of_typical_matters(
    code: str, name: str, level: StartLevel, grid_allowed: bool
) -> None:
    leaf = load_default().get(code)
    assert leaf is not None
    assert (leaf.name_zh, leaf.start_level, leaf.grid_allowed) == (name, level, grid_allowed)


def test_reporter_confirms_own_matters_not_public_components() -> None:
    catalogue = load_default()
    for code in ("S0101", "S0102", "S0103", "S0502", "S0503"):
        leaf = catalogue.get(code)
        assert leaf is not None
        assert leaf.reporter_confirms, code
    for leaf in catalogue.children("C01") + catalogue.children("C02"):
        assert not leaf.reporter_confirms, leaf.code


def test_lookups() -> None:
    catalogue = load_default()
    assert catalogue.get("X9999") is None
    assert "E0402" in catalogue
    assert "X9999" not in catalogue
    assert catalogue.children("E0402") == ()
    assert [c.code for c in catalogue.children("E04")][:3] == ["E0401", "E0402", "E0403"]
    assert len(catalogue) == len(catalogue.groups()) + len(catalogue.leaves())


# ---------------------------------------------------------------- refusals

Mutation = Callable[[list[dict[str, Any]]], None]


def _at(entries: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(e for e in entries if e["code"] == code)


def _set(code: str, key: str, value: object) -> Mutation:
    def mutate(entries: list[dict[str, Any]]) -> None:
        _at(entries, code)[key] = value

    return mutate


def _set_deadline(code: str, key: str, field: str, value: object) -> Mutation:
    def mutate(entries: list[dict[str, Any]]) -> None:
        _at(entries, code)[key][field] = value

    return mutate


def _drop(code: str, key: str) -> Mutation:
    def mutate(entries: list[dict[str, Any]]) -> None:
        del _at(entries, code)[key]

    return mutate


def _append(entry: object) -> Mutation:
    def mutate(entries: list[dict[str, Any]]) -> None:
        entries.append(copy.deepcopy(entry))  # type: ignore[arg-type]

    return mutate


def _copy_of(source: str, **changes: object) -> Mutation:
    def mutate(entries: list[dict[str, Any]]) -> None:
        entry = copy.deepcopy(_at(entries, source))
        entry.update(changes)
        entries.append(entry)

    return mutate


# (mutation, code of the entry refused, message id); the index is found from the code.
REFUSALS = [
    pytest.param(
        _set("C0101", "colour", "red"),
        "C0101",
        "Category %(index)s (%(code)s): unknown key %(key)s.",
        id="unknown-key",
    ),
    pytest.param(
        _set("E04", "urgency", "emergency"),
        "E04",
        "Category %(index)s (%(code)s): a group has no %(key)s.",
        id="group-with-routing",
    ),
    pytest.param(
        _set_deadline("C0102", "response", "hurry", True),
        "C0102",
        "Category %(index)s (%(code)s): unknown key %(key)s.",
        id="unknown-deadline-key",
    ),
    pytest.param(
        _copy_of("E0402"),
        "E0402",
        "Category %(index)s (%(code)s) repeats the code of category %(first)s.",
        id="duplicate-code",
    ),
    pytest.param(
        _set("C0101", "parent", "C09"),
        "C0101",
        "Category %(index)s (%(code)s): its parent %(parent)s is missing.",
        id="parent-missing",
    ),
    pytest.param(
        _set("C0102", "parent", "C0101"),
        "C0102",
        "Category %(index)s (%(code)s): its parent %(parent)s is not a group.",
        id="parent-is-a-leaf",
    ),
    pytest.param(
        _copy_of("C0101", code="C0299"),
        "C0299",
        "Category %(index)s (%(code)s) does not extend its parent's code %(parent)s.",
        id="code-outside-parent",
    ),
    pytest.param(
        _set("C0101", "code", "C101"),
        "C101",
        "Category %(index)s (%(code)s): a leaf's code is C, E or S and 4 digits.",
        id="bad-leaf-code",
    ),
    pytest.param(
        _set("S01", "code", "S1"),
        "S1",
        "Category %(index)s (%(code)s): a group's code is C, E or S and 2 digits.",
        id="bad-group-code",
    ),
    pytest.param(
        _set_deadline("E0101", "response", "unit", "minutes"),
        "E0101",
        "Category %(index)s (%(code)s): %(key)s is one of %(allowed)s, not %(value)s.",
        id="bad-unit",
    ),
    pytest.param(
        _set("E0101", "start_level", "city"),
        "E0101",
        "Category %(index)s (%(code)s): %(key)s is one of %(allowed)s, not %(value)s.",
        id="bad-level",
    ),
    pytest.param(
        _set("E0101", "urgency", "urgent"),
        "E0101",
        "Category %(index)s (%(code)s): %(key)s is one of %(allowed)s, not %(value)s.",
        id="bad-urgency",
    ),
    pytest.param(
        _set("E0402", "department", None),
        "E0402",
        "Category %(index)s (%(code)s) starts at a department and must name it.",
        id="department-missing",
    ),
    pytest.param(
        _set("E0402", "department", "  "),
        "E0402",
        "Category %(index)s (%(code)s) starts at a department and must name it.",
        id="department-blank",
    ),
    pytest.param(
        _set("E0101", "department", "区城市管理和综合执法局"),
        "E0101",
        "Category %(index)s (%(code)s) names a department but starts at %(level)s.",
        id="department-not-wanted",
    ),
    pytest.param(
        _set_deadline("S0101", "resolution", "amount", -3),
        "S0101",
        "Category %(index)s (%(code)s): %(key)s must be positive, not %(value)s.",
        id="negative-amount",
    ),
    pytest.param(
        _set_deadline("S0101", "response", "amount", 0),
        "S0101",
        "Category %(index)s (%(code)s): %(key)s must be positive, not %(value)s.",
        id="zero-amount",
    ),
    pytest.param(
        _set_deadline("S0101", "response", "amount", "2"),
        "S0101",
        "Category %(index)s (%(code)s): %(key)s is a whole number.",
        id="amount-not-a-number",
    ),
    pytest.param(
        _set("S0101", "response", 24),
        "S0101",
        "Category %(index)s (%(code)s): %(key)s has an amount and a unit.",
        id="deadline-not-an-object",
    ),
    pytest.param(
        _set("S0102", "name_en", ""),
        "S0102",
        "Category %(index)s (%(code)s) needs a name in %(key)s.",
        id="empty-name",
    ),
    pytest.param(
        _drop("S0102", "name_zh"),
        "S0102",
        "Category %(index)s (%(code)s) needs a name in %(key)s.",
        id="missing-name",
    ),
    pytest.param(
        _set("S07", "name_zh", None),
        "S07",
        "Category %(index)s (%(code)s) needs a name in %(key)s.",
        id="group-without-name",
    ),
    pytest.param(
        _drop("S0701", "urgency"),
        "S0701",
        "Category %(index)s (%(code)s) lacks %(key)s.",
        id="missing-key",
    ),
    pytest.param(
        _set("S0701", "grid_allowed", "yes"),
        "S0701",
        "Category %(index)s (%(code)s): %(key)s is true or false.",
        id="flag-not-boolean",
    ),
    pytest.param(
        _set("S0701", "parent", 7),
        "S0701",
        "Category %(index)s (%(code)s): parent is a group's code.",
        id="parent-not-a-code",
    ),
    pytest.param(
        _append("C0101"),
        "?",
        "Category %(index)s (%(code)s) is not an object.",
        id="entry-not-an-object",
    ),
]


@pytest.mark.parametrize(("mutate", "code", "message"), REFUSALS)
def test_a_bad_entry_is_refused_naming_it(mutate: Mutation, code: str, message: str) -> None:
    document = _document()
    entries: list[Any] = document["categories"]
    mutate(entries)
    index = max(
        i for i, e in enumerate(entries) if (e.get("code") if isinstance(e, dict) else "?") == code
    )
    catalogue, problems = parse(document)
    assert catalogue is None
    named = [p for p in problems if p.message == message]
    assert named, problems
    assert any(
        p.params["index"] == index
        and p.params["code"] == code
        and p.field.startswith(f"categories[{index}]")
        for p in named
    ), named
    for problem in problems:
        assert problem.text()  # every placeholder has its parameter


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param([], "A category catalogue is a JSON object.", id="not-an-object"),
        pytest.param(
            {"version": 2, "categories": [{"code": "C01", "parent": None}]},
            "Catalogue version %(version)s is not supported; expected %(expected)s.",
            id="version",
        ),
        pytest.param(
            {"version": 1, "categories": []},
            "A catalogue lists at least one category.",
            id="empty",
        ),
        pytest.param(
            {"version": 1, "categories": [], "extra": 1}, "Unknown key %(key)s.", id="top-key"
        ),
    ],
)
def test_a_bad_document_is_refused(document: object, message: str) -> None:
    catalogue, problems = parse(document)
    assert catalogue is None
    assert message in [p.message for p in problems]


def test_load_raises_with_every_problem() -> None:
    document = copy.deepcopy(_document())
    _set("E0101", "urgency", "urgent")(document["categories"])
    _set_deadline("S0101", "resolution", "amount", -1)(document["categories"])
    with pytest.raises(ValueError, match="E0101") as raised:
        load(json.dumps(document))
    assert "S0101" in str(raised.value)
