"""A property-based fuzz run of the whole API (schemathesis against /api/openapi.json),
as an administrator and as a grid worker scoped to one grid, on both engines: valid and
invalid requests for every operation, and not one server error.

Bounded: a few examples per operation and mode, derandomised (the same run each time),
so the whole run stays within about a minute of CPU per engine.

The cases are drawn once per worker for a given API description and sent again by each
test: drawing them (hypothesis through schemathesis' strategies) was most of the run's
CPU, and what is drawn does not depend on the app, the user or the engine (derandomised,
and the test body never fails, so hypothesis never shrinks). Each test still sends every
case, in the order drawn, to its own app as its own user, and checks every answer.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode

from gridgov.db import Database
from tests.cases.factories import make_cases_world, report
from tests.factories import bearer, make_user

EXAMPLES = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "3"))
# Routes that end the caller's own session: fuzzing them would only log the fuzzer out.
SKIP = {("POST", "/api/v1/auth/logout")}


@dataclass
class Drawn:
    """What one (operation, mode) gave: the cases hypothesis drew, in order, and what
    went wrong drawing them (an error that is not a server's)."""

    cases: list[Any] = field(default_factory=list)
    error: str | None = None


# Per worker: the API description (as JSON) -> every (operation, mode)'s draw, in order.
_DRAWN: dict[str, list[Drawn]] = {}


def _draw(app: FastAPI, document: dict[str, Any]) -> list[Drawn]:
    key = json.dumps(document, sort_keys=True)
    if key in _DRAWN:
        return _DRAWN[key]
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app  # the operations are ASGI ones; each test sends to its own app
    drawn: list[Drawn] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            drawn.append(Drawn(error=f"schemathesis could not read an operation: {result!r}"))
            continue
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            drawn.append(_draw_one(operation, mode))
    _DRAWN[key] = drawn
    return drawn


def _draw_one(operation: Any, mode: GenerationMode) -> Drawn:
    one = Drawn()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        one.cases.append(case)

    try:
        run()
    except Exception as exc:  # schemathesis could not build a case: not our 500
        if "Unsatisfiable" not in type(exc).__name__:
            one.error = f"{operation.method} {operation.path}: {exc!r}"
    return one


def _fresh(drawn: Any) -> Any:
    """A copy of a drawn case for one test to send (a call records things on its case);
    the operation, with the whole schema behind it, is shared. Field by field: a case
    tracks changes to its fields through ``__setattr__``."""
    memo: dict[int, Any] = {id(drawn.operation): drawn.operation}
    case = object.__new__(type(drawn))
    for name in type(drawn).__slots__:
        object.__setattr__(case, name, copy.deepcopy(getattr(drawn, name), memo))
    return case


def _fuzz(app: FastAPI, headers: dict[str, str]) -> tuple[list[str], Counter[int]]:
    with TestClient(app) as client:  # read the description ourselves: no loader timeout
        document = client.get("/api/openapi.json").json()
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    for one in _draw(app, document):
        for drawn in one.cases:
            case = _fresh(drawn)
            try:
                response = case.call(headers=headers, app=app)
            except Exception as exc:  # an exception out of the app is a server error too
                errors.append(f"{case.method} {case.formatted_path}: {exc!r}")
                continue
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:200]}"
                )
        if one.error is not None:
            errors.append(one.error)
    return errors, statuses


@pytest.mark.slow
@pytest.mark.parametrize("who", ["admin", "grid_worker"])
def test_the_api_fuzzed_as_admin_and_as_a_scoped_worker_gives_no_server_error(
    db: Database, app: FastAPI, who: str
) -> None:
    make_cases_world(db)
    make_user(db, "zhou.admin", "admin", "440512")
    report(db)
    with TestClient(app) as client:
        username = "zhou.admin" if who == "admin" else "chen.worker"
        headers = bearer(client, username)
    errors, statuses = _fuzz(app, headers)
    assert errors == []
    # The run did reach the app: answers of both kinds, for well over a hundred requests
    assert sum(statuses.values()) > 300, statuses
    assert statuses[200] > 20, statuses
    assert statuses[422] > 20, statuses
