"""A property-based fuzz run of the whole API (schemathesis against /api/openapi.json),
as an administrator and as a grid worker scoped to one grid, on both engines: valid and
invalid requests for every operation, and not one server error.

Bounded: a few examples per operation and mode, derandomised (the same run each time),
so the whole run stays within about a minute of CPU per engine.
"""

from __future__ import annotations

import os
from collections import Counter
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


def _fuzz(app: FastAPI, headers: dict[str, str]) -> tuple[list[str], Counter[int]]:
    with TestClient(app) as client:  # read the description ourselves: no loader timeout
        document = client.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            errors.append(f"schemathesis could not read an operation: {result!r}")
            continue
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

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
                try:
                    response = case.call(headers=headers)
                except Exception as exc:  # an exception out of the app is a server error too
                    errors.append(f"{case.method} {case.formatted_path}: {exc!r}")
                    return
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    errors.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{response.text[:200]}"
                    )

            try:
                run()
            except Exception as exc:  # schemathesis could not build a case: not our 500
                if "Unsatisfiable" not in type(exc).__name__:
                    errors.append(f"{operation.method} {operation.path}: {exc!r}")
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
