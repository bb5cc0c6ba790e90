"""FastAPI's per-app route analysis, worked out once per worker instead of once per test.

Since FastAPI 0.16x an app that includes a router builds each route's effective state
(its dependency tree from the endpoint's signature, its body and response fields) on
the app's first request, and every test makes its own app: about 0.5 s of CPU per test
that sends a request, 500-odd routes inspected again each time. What is built depends
only on the route's path, its endpoint, its dependencies and its models, which are the
same objects in every app of a worker (a ``Depends`` compares by value), so the three
builders are remembered by exactly those arguments. The objects they return are not
changed by a request (dependency overrides are looked up per request, beside the
tree), so apps may share them. In production there is one app and nothing to share.

Should FastAPI rename these private builders, nothing is remembered and the tests run
as before, only slower.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import routing

_NAMES = (
    "_build_dependant_with_parameterless_dependencies",
    "create_model_field",
    "_get_body_field",
)


def _remembering(build: Callable[..., Any], key: Callable[..., Hashable]) -> Any:
    seen: dict[Hashable, tuple[Any, tuple[Any, ...]]] = {}

    def remembered(**kwargs: Any) -> Any:
        try:
            found = key(**kwargs)
            hash(found)
        except TypeError:  # an unhashable model type: build it as FastAPI would
            return build(**kwargs)
        if found not in seen:
            # The arguments stay referenced, so an id in a key is never reused.
            seen[found] = (build(**kwargs), tuple(kwargs.values()))
        return seen[found][0]

    remembered.__wrapped__ = build  # type: ignore[attr-defined]
    return remembered


def _dependant_key(*, path: str, call: Callable[..., Any], dependencies: Any) -> Hashable:
    return (path, call, tuple(dependencies))


def _field_key(*, name: str, type_: Any, mode: str = "validation", **rest: Any) -> Hashable:
    return (name, type_, mode, tuple(sorted(rest.items())))


def _body_key(*, body_params: Any, name: str, embed_body_fields: bool) -> Hashable:
    # The fields are the remembered dependency tree's own objects.
    return (tuple(map(id, body_params)), name, embed_body_fields)


def install() -> None:
    """Remember the three builders in fastapi.routing (once; a no-op when absent)."""
    if not all(callable(getattr(routing, name, None)) for name in _NAMES):
        return
    if hasattr(getattr(routing, "_get_body_field"), "__wrapped__"):  # noqa: B009
        return
    keys: tuple[Callable[..., Hashable], ...] = (_dependant_key, _field_key, _body_key)
    for name, key in zip(_NAMES, keys, strict=True):
        setattr(routing, name, _remembering(getattr(routing, name), key))
