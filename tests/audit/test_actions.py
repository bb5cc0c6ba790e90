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
    if isinstance(expr, ast.JoinedStr) and _fills_from_parameters(expr, function):
        assert function is not None
        texts: set[str] = set()
        for caller_module, caller, call in _calls().get(function.name, []):
            if caller_module != module and function.name.startswith("_"):
                continue
            texts |= _filled_at(expr, function, call, caller_module, caller)
        return texts
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
        enums = _enums_of(expr.value, module, function, where)
        return {str(member.value) for enum in enums for member in enum}
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


def _parameter_of(expr: ast.expr, function: ast.FunctionDef) -> str | None:
    """The parameter an f-string filling is (``p``) or is the value of (``p.value``)."""
    if isinstance(expr, ast.Attribute) and expr.attr == "value":
        expr = expr.value
    names = {arg.arg for arg in _params(function)}
    return expr.id if isinstance(expr, ast.Name) and expr.id in names else None


def _fills_from_parameters(expr: ast.JoinedStr, function: ast.FunctionDef | None) -> bool:
    """Whether an f-string is filled from two or more parameters: its values are then
    read a call site at a time (``f"{kind}.{target.value}"`` is a pledge's state with
    "pledge", never an enterprise request's)."""
    if function is None:
        return False
    fillings = [p.value for p in expr.values if isinstance(p, ast.FormattedValue)]
    params = [_parameter_of(f, function) for f in fillings]
    return len(fillings) > 1 and all(params)


def _filled_at(
    expr: ast.JoinedStr,
    function: ast.FunctionDef,
    call: ast.Call,
    caller_module: str,
    caller: ast.FunctionDef,
) -> set[str]:
    """An f-string's values with the parameters of one call site."""
    where = f"{caller_module}:{call.lineno}"
    texts = {""}
    for part in expr.values:
        if isinstance(part, ast.FormattedValue):
            param = _parameter_of(part.value, function)
            argument = _argument(call, function, param or "")
            if argument is None:
                raise AssertionError(f"{where}: no argument for {param}")
            if isinstance(part.value, ast.Attribute):
                enums = _enums_in(argument, caller_module, caller, where)
                fillings = {str(m.value) for enum in enums for m in enum}
            else:
                fillings = _values(argument, caller_module, caller, where)
        else:
            fillings = _values(part, caller_module, caller, where)
        texts = {text + filling for text in texts for filling in fillings}
    return texts


def _enums_of(
    name: ast.Name, module: str, function: ast.FunctionDef | None, where: str
) -> set[type[Enum]]:
    """The enums a parameter's value belongs to: its annotation's, or, for a parameter of
    a generic type (a TypeVar), the enums of what its callers pass."""
    params = {arg.arg: arg for arg in _params(function)} if function else {}
    annotation = params[name.id].annotation
    enum = getattr(importlib.import_module(module), ast.unparse(annotation or name), None)
    if isinstance(enum, type) and issubclass(enum, Enum):
        return {enum}
    assert function is not None
    found: set[type[Enum]] = set()
    for caller_module, caller, call in _calls().get(function.name, []):
        argument = _argument(call, function, name.id)
        if argument is not None:
            found |= _enums_in(argument, caller_module, caller, f"{caller_module}:{call.lineno}")
    if not found:
        raise AssertionError(f"{where}: cannot tell which action {name.id!r}.value names")
    return found


def _enums_in(
    expr: ast.expr, module: str, function: ast.FunctionDef, where: str
) -> set[type[Enum]]:
    """The enums whose members ``expr`` can be: ``E.MEMBER``, either arm of a
    conditional, a parameter (as ``_enums_of``), a local name's assignments."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        owner = getattr(importlib.import_module(module), expr.value.id, None)
        if isinstance(owner, type) and issubclass(owner, Enum):
            return {owner}
    if isinstance(expr, ast.IfExp):
        return _enums_in(expr.body, module, function, where) | _enums_in(
            expr.orelse, module, function, where
        )
    if isinstance(expr, ast.Name):
        if expr.id in {arg.arg for arg in _params(function)}:
            return _enums_of(expr, module, function, where)
        assigned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        if assigned:
            return {e for value in assigned for e in _enums_in(value, module, function, where)}
    raise AssertionError(f"{where}: cannot tell which enum {ast.unparse(expr)!r} is")


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
    # (one helper audits pledges and enterprise requests: each kind with its own states)
    assert {"pledge.fulfilled", "enterprise_request.declined"} <= actions
    assert "enterprise_request.fulfilled" not in actions
    assert sorted(actions - ACTION_LABELS.keys()) == []


def test_the_table_names_no_action_the_code_never_records() -> None:
    assert sorted(ACTION_LABELS.keys() - recorded_actions()) == []


def test_an_unknown_action_reads_as_words() -> None:
    assert action_label("case.marked_overdue") == "Case marked overdue"
    assert action_label("test.counted") == "test: counted"
    assert action_label("volunteer_team.leader_set") == "Volunteer team leader set"
    assert action_label("x_y.z_w") == "x y: z w"
