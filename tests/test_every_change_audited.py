"""Every state change is audited: every ``do_*`` function of every domain reaches
``audit.service.record`` (read from the source, through the functions it calls), and
every ``do_*`` of the case workflow, called for real, writes an audit row."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import gridgov
from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.cases.rules import Level, Rating, Route
from gridgov.db import Database
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW

PACKAGE = Path(gridgov.__file__).parent
RECORD = ("gridgov.audit.service", "record")
Key = tuple[str, str]  # (module, function name)


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative).is_dir()


def _call_graph() -> tuple[dict[Key, set[Key]], list[Key]]:
    """Each function of the package with the functions it names (calls, or passes on),
    resolved through its module's imports; and the do_* functions of the services."""
    graph: dict[Key, set[Key]] = {}
    do_functions: list[Key] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_of(path)
        tree = ast.parse(path.read_text("utf-8"))
        modules: dict[str, str] = {}  # alias -> module
        names: dict[str, Key] = {}  # alias -> (module, function)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gridgov"):
                for alias in node.names:
                    dotted = f"{node.module}.{alias.name}"
                    if _is_module(dotted):
                        modules[alias.asname or alias.name] = dotted
                    else:
                        names[alias.asname or alias.name] = (node.module or "", alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("gridgov") and alias.asname:
                        modules[alias.asname] = alias.name
        own = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        # A facade's re-export (``from gridgov.cases.intake import do_intake`` in
        # ``cases/service.py``) leads to the function it names.
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gridgov"):
                for alias in node.names:
                    name = alias.asname or alias.name
                    if name in names and name not in own:
                        graph.setdefault((module, name), set()).add(names[name])
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            edges = graph.setdefault((module, function.name), set())
            for node in ast.walk(function):
                if isinstance(node, ast.Name):
                    if node.id in own:
                        edges.add((module, node.id))
                    elif node.id in names:
                        edges.add(names[node.id])
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in modules
                ):
                    edges.add((modules[node.value.id], node.attr))
            if function.name.startswith("do_") and not module.endswith(("pages", "api", "cli")):
                do_functions.append((module, function.name))
    return graph, do_functions


def test_every_do_function_reaches_the_audit_record() -> None:
    # Given every function of the package with the functions it names
    graph, do_functions = _call_graph()
    # When each do_* is followed through what it calls
    reached: dict[Key, bool] = {}

    def reaches(key: Key, path: frozenset[Key]) -> bool:
        if key == RECORD:
            return True
        if key in reached:
            return reached[key]
        if key in path or key not in graph:
            return False
        result = any(reaches(callee, path | {key}) for callee in graph[key])
        if not path:
            reached[key] = result
        return result

    silent = [f"{m}.{n}" for m, n in do_functions if not reaches((m, n), frozenset())]
    # Then every one of them writes an audit row somewhere on its way
    assert len(do_functions) > 60
    assert silent == []


# ---------------------------------------------------------------- the workflow, for real


def _audit_rows(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_every_case_step_called_for_real_writes_an_audit_row(db: Database) -> None:
    people = make_cases_world(db)
    worker, dispatcher, leader = (
        people["chen.worker"],
        people["lin.dispatch"],
        people["zhao.leader"],
    )
    community = people["wu.community"]
    called: set[str] = set()

    def step(case_id: int, name: str, actor: Actor | None, **kwargs: Any) -> None:
        before = _audit_rows(db)
        with db.transaction() as session:
            case = session.get(Case, case_id)
            assert case is not None
            function: Callable[..., object] = getattr(cases, name)
            if actor is not None:
                kwargs["actor"] = actor
            function(session, case=case, now=kwargs.pop("now", FIXED_NOW), **kwargs)
        assert _audit_rows(db) > before, f"{name} wrote no audit row"
        called.add(name)

    # Given cases through every step of the workflow
    before = _audit_rows(db)
    case = report(db)
    assert _audit_rows(db) > before
    called.add("do_intake")
    step(case.id, "do_acknowledge", worker)
    step(case.id, "do_start", worker)
    step(case.id, "do_request_suspension", worker, reason="等待管线迁改")
    step(case.id, "do_approve_suspension", leader)
    step(case.id, "do_resume", leader)
    step(case.id, "do_resolve", worker, note="已清理")
    step(case.id, "do_verify", dispatcher, passed=False, note="不彻底")
    step(case.id, "do_escalate", worker, reason="需要社区协调")
    step(case.id, "do_acknowledge", community)
    step(case.id, "do_return", community, reason="不属于本社区")
    step(
        case.id,
        "do_assign",
        dispatcher,
        co_handlers=(Route(Level.COMMUNITY, None, "dispatcher"),),
    )
    step(case.id, "do_acknowledge", community)  # the co-handler reports in
    step(case.id, "do_acknowledge", worker)
    step(case.id, "do_start", worker)
    step(case.id, "do_resolve", worker, note="已清理")
    step(case.id, "do_verify", dispatcher, passed=True, note="ok")
    step(case.id, "do_rate", None, rating=Rating.SATISFIED)
    step(case.id, "do_contest", None, reason="又堆起来了")
    # a report held for the dispatcher (not located), accepted, then rejected
    held = report(db, text="小广告贴满了单元门", category="", point=None, phone="13900003333")
    step(held.id, "do_accept", dispatcher, category_code="E0201")
    step(held.id, "do_reject", dispatcher, reason="无法定位")
    first = report(db, text="路灯坏了很久没人修", point=(116.7080, 23.2950), phone="13900005555")
    dup = report(
        db,
        text="路灯坏了",
        point=(116.7080, 23.2950),
        phone="13900006666",
        now=FIXED_NOW + timedelta(minutes=5),
    )
    before = _audit_rows(db)
    with db.transaction() as session:
        duplicate, original = session.get(Case, dup.id), session.get(Case, first.id)
        assert duplicate is not None
        assert original is not None
        cases.do_merge(
            session, actor=dispatcher, duplicate=duplicate, original=original, now=FIXED_NOW
        )
    assert _audit_rows(db) > before
    called.add("do_merge")
    # Then every workflow step of the case service was called, each writing a row
    workflow = {
        name
        for name, function in inspect.getmembers(cases, inspect.isfunction)
        if name.startswith("do_") and "case" in inspect.signature(function).parameters
    }
    assert workflow - called == set()
