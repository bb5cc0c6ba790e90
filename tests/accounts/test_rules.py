"""Pure account rules, without a database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import column
from sqlalchemy.dialects import postgresql, sqlite

from gridgov.accounts import rules
from gridgov.accounts.rules import LoginLimits


@pytest.mark.parametrize(
    ("scope", "code", "expected"),
    [
        pytest.param("440512", "440512001001", True, id="district-sees-its-community"),
        pytest.param("440512001", "440512001", True, id="street-sees-itself"),
        pytest.param("440512001", "440512002001", False, id="street-not-the-neighbouring-one"),
        pytest.param("440512001", "440512", False, id="street-not-its-district"),
        pytest.param("440512001", "4405120011", True, id="prefix-is-the-rule"),
        pytest.param(None, "440512", False, id="no-scope-sees-nothing"),
        pytest.param("", "440512", False, id="empty-scope-sees-nothing"),
    ],
)
def test_may_access_is_a_code_prefix(scope: str | None, code: str, expected: bool) -> None:
    assert rules.may_access(scope, code) is expected


def test_scope_clause_is_the_same_prefix_in_sql() -> None:
    # Given a street scope, when it is compiled for either engine
    clause = rules.scope_clause("440512001", column("code"))
    # then it is a LIKE on the prefix
    for dialect in (sqlite.dialect(), postgresql.dialect()):  # type: ignore[no-untyped-call]
        compiled = clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        assert "code LIKE '440512001' || '%'" in str(compiled).replace("%%", "%")


def test_scope_clause_refuses_non_digit_scopes() -> None:
    compiled = str(rules.scope_clause("44%", column("code")).compile(dialect=sqlite.dialect()))
    assert "LIKE" not in compiled


@pytest.mark.parametrize(
    ("scope", "ok"),
    [
        ("440512", True),
        ("440512003", True),
        ("440512003004", True),
        ("44051200300401", True),
        ("440512003004001", True),
        ("4405", False),
        ("44051200", False),
        ("44051a", False),
        ("", False),
        (None, False),
    ],
)
def test_scope_problem_accepts_region_codes_only(scope: str | None, ok: bool) -> None:
    assert (rules.scope_problem(scope) is None) is ok


def test_scope_within() -> None:
    assert rules.scope_within("440512003", "440512")
    assert not rules.scope_within("440512", "440512003")
    assert not rules.scope_within("440513", "440512")


@pytest.mark.parametrize(
    ("password", "fields"),
    [
        pytest.param("k7#Qz-x", ["At least %(n)s characters."], id="too-short"),
        pytest.param("1234567890", ["This is one of the most common passwords."], id="common"),
        pytest.param("woaini1314", ["This is one of the most common passwords."], id="common-cn"),
        pytest.param("PASSWORD123", ["This is one of the most common passwords."], id="any-case"),
        pytest.param("aaaaaaaaaaaa", ["Too few different characters."], id="one-char"),
        pytest.param(
            "wangfang-2026-x", ["The password contains the username."], id="contains-username"
        ),
        pytest.param("Haojiang-grid-2026", [], id="acceptable"),
    ],
)
def test_password_policy(password: str, fields: list[str]) -> None:
    problems = rules.password_problems(password, username="wangfang")
    assert [p.message for p in problems] == fields


def test_common_password_list_is_loaded() -> None:
    passwords = rules.common_passwords()
    assert len(passwords) > 29_000
    assert "qwertyuiop" in passwords


LIMITS = LoginLimits(
    window=timedelta(minutes=15), max_failures_per_ip=10, max_failures_per_account=10
)


@pytest.mark.parametrize(
    ("from_ip", "on_account", "throttled"),
    [(0, 0, False), (9, 9, False), (10, 0, True), (0, 10, True), (3, 12, True)],
)
def test_login_throttle(from_ip: int, on_account: int, throttled: bool) -> None:
    assert (
        rules.login_throttled(
            failures_from_ip=from_ip, failures_on_account=on_account, limits=LIMITS
        )
        is throttled
    )


def _limits() -> rules.LoginLimits:
    from datetime import timedelta

    return rules.LoginLimits(
        window=timedelta(minutes=15), max_failures_per_ip=10, max_failures_per_account=10
    )


@pytest.mark.parametrize(
    ("pair", "account", "since", "known", "wait"),
    [
        (0, 9, 0.0, False, None),  # under the account limit: no delay
        (0, 10, 0.5, False, 1),  # the first delay is one second
        (0, 13, 3.0, False, 5),  # doubling: 8 seconds, 3 gone
        (0, 40, 0.0, False, 60),  # never more than a minute
        (0, 40, 0.0, True, None),  # an address the owner signed in from before
        (10, 10, 100.0, True, 900),  # this address guessed too often: the window
    ],
)
def test_login_wait_grows_per_account_and_stops_per_address(
    pair: int, account: int, since: float, known: bool, wait: int | None
) -> None:
    assert (
        rules.login_wait(
            failures_from_ip=pair,
            failures_pair=pair,
            failures_on_account=account,
            seconds_since_account_failure=since,
            known_address=known,
            limits=_limits(),
        )
        == wait
    )
