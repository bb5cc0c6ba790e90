"""Derived metrics: arithmetic formulas over metric names, parsed and checked once and
compiled to closures."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache

from gridgov.datafiles import DataFileError

# -- formulas ----------------------------------------------------------------------

_ALLOWED: tuple[type[ast.AST], ...] = (ast.Expression, ast.BinOp, ast.Name, ast.Constant, ast.Load)
_ALLOWED += (ast.Add, ast.Sub, ast.Mult, ast.Div)


@lru_cache(maxsize=512)
def _parsed(expression: str) -> ast.Expression:
    return ast.parse(expression, mode="eval")


@lru_cache(maxsize=512)
def formula_names(expression: str, line: int) -> frozenset[str]:
    """The metric names a formula uses; refuses anything but + − × ÷, numbers, names."""
    try:
        tree = _parsed(expression)
    except SyntaxError as exc:
        raise DataFileError(
            line, "The formula %(formula)s cannot be read.", formula=expression
        ) from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        allowed = isinstance(node, _ALLOWED) and not (
            isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        )
        if not allowed:
            raise DataFileError(line, "A formula may only add, subtract, multiply and divide.")
    return frozenset(names)


def evaluate_formula(expression: str, values: Mapping[str, float | None]) -> float | None:
    """The formula's value; None when a name has no value or a divisor is zero."""
    return compiled(expression)(values)


Formula = Callable[[Mapping[str, float | None]], float | None]


@lru_cache(maxsize=512)
def compiled(expression: str) -> Formula:
    """The formula as nested closures, built once from its checked syntax tree (only
    + − × ÷, numbers and names survive ``formula_names``)."""
    return _closure(_parsed(expression).body)


def _closure(node: ast.AST) -> Formula:
    if isinstance(node, ast.Constant):
        constant = float(node.value)  # type: ignore[arg-type]
        return lambda _values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: values.get(name)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left, right, op = _closure(node.left), _closure(node.right), node.op

        def binary(values: Mapping[str, float | None]) -> float | None:
            a, b = left(values), right(values)
            if a is None or b is None:
                return None
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            return a / b if b else None

        return binary
    raise ValueError(ast.dump(node))  # formula_names refused it when the tree was loaded
