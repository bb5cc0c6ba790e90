"""Every audit action the code records has a label, read from the source like a grep."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from enum import Enum
from functools import cache
from pathlib import Path

import gridgov
from gridgov.audit.actions import ACTION_LABELS, action_label

SRC = Path(gridgov.__file__).parent


@cache
def _modules() -> dict[str, ast.Module]:
    return {
        ".".join(("gridgov", *path.relative_to(SRC).with_suffix("").parts)): ast.parse(
            path.read_text(encoding="utf-8")
        )
        for path in sorted(SRC.rglob("*.py"))
    }


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            yield node


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _params(function: ast.FunctionDef) -> list[ast.arg]:
    return [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]


def _argument(call: ast.Call, function: ast.FunctionDef, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    positional = [*function.args.posonlyargs, *function.args.args]
    index = next((i for i, arg in enumerate(positional) if arg.arg == name), None)
    if index is not None and index < len(call.args):
        return call.args[index]
    return None


def _values(expr: ast.expr, module: str, function: ast.FunctionDef | None, where: str) -> set[str]:
    """The strings ``expr`` can be: literals, both arms of a conditional, an f-string's
    every filling, a parameter's every argument at the call sites, a name's assignments."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _values(expr.body, module, function, where) | _values(
            expr.orelse, module, function, where
        )
    if isinstance(expr, ast.JoinedStr):
        texts = {""}
        for part in expr.values:
            fillings = (
                _values(part.value, module, function, where)
                if isinstance(part, ast.FormattedValue)
                else _values(part, module, function, where)
            )
            texts = {text + filling for text in texts for filling in fillings}
        return texts
    params = {arg.arg: arg for arg in _params(function)} if function else {}
    if (
        isinstance(expr, ast.Attribute)
        and expr.attr == "value"
        and isinstance(expr.value, ast.Name)
        and expr.value.id in params
    ):
        annotation = params[expr.value.id].annotation
        enum = getattr(importlib.import_module(module), ast.unparse(annotation or expr), None)
        if isinstance(enum, type) and issubclass(enum, Enum):
            return {str(member.value) for member in enum}
    if isinstance(expr, ast.Name) and function is not None and expr.id in params:
        return _arguments(function, module, expr.id, where)
    if isinstance(expr, ast.Name):
        assigned = {
            value
            for node in ast.walk(function or _modules()[module])
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
            for value in _values(node.value, module, function, where)
        }
        if assigned:
            return assigned
        value = getattr(importlib.import_module(module), expr.id, None)
        if isinstance(value, str):
            return {value}
    raise AssertionError(f"{where}: cannot tell which action {ast.unparse(expr)!r} names")


@cache
def _calls() -> dict[str, list[tuple[str, ast.FunctionDef, ast.Call]]]:
    """Every call in src/gridgov by the name called, with its module and function."""
    calls: dict[str, list[tuple[str, ast.FunctionDef, ast.Call]]] = {}
    for module, tree in _modules().items():
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and (name := _called(node)):
                    calls.setdefault(name, []).append((module, function, node))
    return calls


def _arguments(function: ast.FunctionDef, module: str, param: str, where: str) -> set[str]:
    """``param``'s values at every call of ``function`` (a private one: in its module)."""
    found: set[str] = set()
    for name, caller, call in _calls().get(function.name, []):
        if name != module and function.name.startswith("_"):
            continue
        argument = _argument(call, function, param)
        if argument is not None:
            found |= _values(argument, name, caller, f"{name}:{call.lineno}")
    if not found:
        raise AssertionError(f"{where}: no call of {function.name} passes {param}")
    return found


@cache
def recorded_actions() -> frozenset[str]:
    """Every ``action`` a ``record(...)`` call in src/gridgov can write."""
    found: set[str] = set()
    for module, function, call in _calls().get("record", []):
        for keyword in call.keywords:
            if keyword.arg == "action":
                found |= _values(keyword.value, module, function, f"{module}:{call.lineno}")
    return frozenset(found)


def test_every_recorded_action_has_a_label() -> None:
    # Given every action the source records (literals, f-strings, relayed parameters)
    actions = recorded_actions()
    # Then the scan finds them all, and each has a label in the table
    assert {"case.marked_overdue", "case.accepted", "pledge.lapsed"} <= actions
    assert {"broadcast.read", "brand.created", "registry.imported", "audit.purged"} <= actions
    assert {"deliberation.commented", "notice.objection_removed"} <= actions
    assert sorted(actions - ACTION_LABELS.keys()) == []


def test_the_table_names_no_action_the_code_never_records() -> None:
    assert sorted(ACTION_LABELS.keys() - recorded_actions()) == []


def test_an_unknown_action_reads_as_words() -> None:
    assert action_label("case.marked_overdue") == "Case marked overdue"
    assert action_label("test.counted") == "test: counted"
    assert action_label("volunteer_team.leader_set") == "Volunteer team leader set"
    assert action_label("x_y.z_w") == "x y: z w"
