"""Every route declares its authorisation in its signature."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from gridgov.web import limits
from gridgov.web.deps import AUTH_MARK, PUBLIC_PATHS, RouteInfo, route_table, verify_csrf


def _calls(dependant: Dependant) -> set[Any]:
    found: set[Any] = set()
    for sub in dependant.dependencies:
        found.add(sub.call)
        found |= _calls(sub)
    return found


def _authorised(route: RouteInfo) -> bool:
    return any(getattr(call, AUTH_MARK, False) for call in _calls(route.dependant))


def test_the_route_table_is_seen_whole(app: FastAPI) -> None:
    paths = {route.path for route in route_table(app)}
    assert {"/", "/api/v1/users/{user_id}", "/regions/{code}", "/api/v1/auth/token"} <= paths


def test_every_non_public_route_has_an_authorisation_dependency(app: FastAPI) -> None:
    # Given the whole route table, when each route's dependency tree is walked
    missing = [
        f"{sorted(route.methods)} {route.path}"
        for route in route_table(app)
        if route.path not in PUBLIC_PATHS and not _authorised(route)
    ]
    # then none lacks an authorisation dependency
    assert missing == []


def test_routes_without_dependencies_are_public_ones(app: FastAPI) -> None:
    # Plain Starlette routes and mounts cannot declare dependencies: they must be public.
    with_dependant = {route.path for route in route_table(app)}
    plain = {
        getattr(route, "path", "")
        for route in app.routes
        if getattr(route, "path", None) and getattr(route, "path", "") not in with_dependant
    }
    assert plain <= PUBLIC_PATHS


def test_every_route_but_the_health_probes_bounds_its_input(app: FastAPI) -> None:
    # Given the whole route table, when each route's dependency tree is walked
    unbounded = sorted(
        route.path
        for route in route_table(app)
        if limits.bounded_input not in _calls(route.dependant)
    )
    # then only the probes, which read nothing of the request, go without the checks of
    # ids, NUL characters and JSON depth (ADR 0012)
    assert unbounded == ["/healthz", "/readyz"]


def test_every_page_form_route_checks_csrf(app: FastAPI) -> None:
    unchecked = [
        route.path
        for route in route_table(app)
        # API routes authenticate by token or key, never by cookie alone.
        if not route.path.startswith(("/api/", "/open311/"))
        and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
        and verify_csrf not in _calls(route.dependant)
    ]
    assert unchecked == []


def test_the_walker_sees_a_route_without_authorisation(app: FastAPI) -> None:
    # Given a route added with no authorisation, then the walker reports it
    @app.get("/unguarded")
    def unguarded() -> dict[str, str]:
        return {}

    route = next(r for r in route_table(app) if r.path == "/unguarded")
    assert not _authorised(route)
