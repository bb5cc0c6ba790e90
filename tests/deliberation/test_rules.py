"""The deliberation rules without a database: templates, quorum and decisions, the chain,
notices, personal data in notices, and elections."""

from __future__ import annotations

import hashlib
import inspect
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction
from importlib.resources import files

import pytest

from gridgov.datafiles import DataFileError
from gridgov.deliberation import rules
from gridgov.deliberation.rules import (
    Candidate,
    DisclosureKind,
    FindingKind,
    Outcome,
    Tally,
    TieBreak,
    Voter,
)
from gridgov.errors import Conflict, InvalidInput, NotFound


def shipped(name: str) -> str:
    return files("gridgov.deliberation").joinpath("data", f"{name}.yaml").read_text("utf-8")


VILLAGE_TEXT = shipped("si_yi_liang_gong_kai")
VILLAGE = rules.load_procedure(VILLAGE_TEXT)
COUNCIL = rules.load_procedure(shipped("community_council"))
CST = timezone(timedelta(hours=8))


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


# --------------------------------------------------------------------------- templates


def test_the_shipped_templates_load_in_order() -> None:
    # given the two shipped templates, when loaded, then their stages are in order
    assert [stage.id for stage in VILLAGE.stages] == [
        "proposal",
        "deliberation",
        "review",
        "decision",
        "resolution_disclosure",
        "result_disclosure",
    ]
    assert [stage.kind for stage in VILLAGE.stages[:4]] == [
        rules.StageKind.PROPOSAL,
        rules.StageKind.DELIBERATION,
        rules.StageKind.REVIEW,
        rules.StageKind.DECISION,
    ]
    assert VILLAGE.names.zh_Hans == "四议两公开"
    assert VILLAGE.stage("decision").roster is rules.Roster.REPRESENTATIVES
    assert VILLAGE.stage("resolution_disclosure").posting_days == 7
    assert VILLAGE.stage("resolution_disclosure").quorum is None
    assert [stage.id for stage in COUNCIL.stages] == [
        "proposal",
        "decision",
        "resolution_disclosure",
        "result_disclosure",
    ]
    assert COUNCIL.stage("decision").body is rules.Body.DELIBERATION_COUNCIL


def test_the_statutory_numbers_live_in_the_template_not_in_the_code() -> None:
    source = inspect.getsource(rules)
    for number in ('"2/3"', '"1/2"', "Fraction(2, 3)", "Fraction(1, 2)"):
        assert number not in source


def test_changing_a_threshold_in_the_template_text_changes_the_outcome() -> None:
    # given 30 of the 45 representatives present and 16 in favour
    tally = Tally(members=45, present=30, yes=16, no=14)
    assert rules.decide(VILLAGE.stage("decision"), tally) is Outcome.ADOPTED
    # when the administrator raises the representatives' meeting quorum to 3/4
    old = (
        "  villagers_representatives_meeting:\n"
        "    roster: representatives\n"
        '    quorum: {count: present, comparator: at_least, fraction: "2/3", of: members}\n'
    )
    assert old in VILLAGE_TEXT
    edited = rules.load_procedure(VILLAGE_TEXT.replace(old, old.replace('"2/3"', '"3/4"')))
    # then the same meeting has no quorum (3/4 of 45 is 33.75), and 34 present do
    with pytest.raises(Conflict):
        rules.decide(edited.stage("decision"), tally)
    quorum = edited.stage("decision").quorum
    assert quorum is not None
    check = rules.evaluate_quorum(quorum, tally)
    assert check.text() == "30 of 45 present < 3/4 of 45: no quorum"
    assert check.comparisons[0].needed == 34
    enough = Tally(members=45, present=34, yes=18)
    assert rules.decide(edited.stage("decision"), enough) is Outcome.ADOPTED
    # and the other bodies keep their 2/3
    assert edited.stage("review").quorum == VILLAGE.stage("review").quorum


MINIMAL = """\
id: tiny
names: {zh_Hans: 小, en: Tiny}
bodies:
  two_committees:
    roster: two_committees_members
    quorum: {count: present, comparator: at_least, fraction: "2/3", of: members}
    decision: {count: in_favour, comparator: more_than, fraction: "1/2", of: present}
stages:
  - id: first
    kind: deliberation
    names: {zh_Hans: 一, en: One}
    body: two_committees
    outcomes: {adopted: second, rejected: end}
  - id: second
    kind: disclosure
    names: {zh_Hans: 二, en: Two}
    body: public
    outcomes: {adopted: end}
"""


def test_the_minimal_template_loads() -> None:
    procedure = rules.load_procedure(MINIMAL)
    assert procedure.stage("second").posting_days == rules.DEFAULT_POSTING_DAYS
    assert procedure.stage("second").objection_days == rules.DEFAULT_POSTING_DAYS
    assert procedure.election is None


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        pytest.param(
            "body: two_committees\n    outcomes",
            "body: village_assembly\n    outcomes",
            "body: village_assembly",
            "is not a known body",
            id="unknown body kind",
        ),
        pytest.param(
            "{adopted: second, rejected: end}",
            "{adopted: secnod, rejected: end}",
            "adopted: secnod",
            "which is not a stage",
            id="unknown stage in an outcome",
        ),
        pytest.param('"2/3"', '"3/2"', '"3/2"', "more than 0 and at most 1", id="fraction > 1"),
        pytest.param('"2/3"', '"0/3"', '"0/3"', "more than 0 and at most 1", id="fraction 0"),
        pytest.param('"2/3"', "0.67", "0.67", "exactly, quoted", id="a float fraction"),
        pytest.param('"2/3"', '"two thirds"', "two thirds", "not a fraction", id="not a fraction"),
        pytest.param(
            "    kind: deliberation\n", "", "- id: first", "kind is missing", id="missing kind"
        ),
        pytest.param(
            "of: members}", "of: households}", "of: households", "cannot be measured", id="basis"
        ),
        pytest.param(
            "count: present,",
            "count: in_favour,",
            "count: in_favour, comparator: at_least",
            "a quorum counts",
            id="a quorum counting votes",
        ),
        pytest.param(
            "- id: second", "- id: first", "- id: first", "used twice", id="duplicate stage ids"
        ),
        pytest.param(
            "    body: public\n",
            "    body: public\n    quorum: {count: present, comparator: at_least, "
            'fraction: "1/2", of: members}\n',
            '    quorum: {count: present, comparator: at_least, fraction: "1/2"',
            "not voted on",
            id="a disclosure with a quorum",
        ),
        pytest.param(
            "{adopted: end}",
            "{adopted: end, rejected: end}",
            "{adopted: end, rejected: end}",
            "unknown key rejected",
            id="a disclosure cannot be rejected",
        ),
        pytest.param(
            "    kind: deliberation\n",
            "    kind: deliberation\n    qourum: {}\n",
            "qourum",
            "unknown key qourum",
            id="a misspelt key",
        ),
    ],
)
def test_bad_templates_are_refused_naming_the_line(
    old: str, new: str, needle: str, fragment: str
) -> None:
    # given the minimal template with one mistake
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    occurrence = 2 if "used twice" in fragment else 1
    # when it is loaded, then the refusal names the line of the mistake
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, needle, occurrence), str(caught.value)
    assert fragment in str(caught.value)


def test_an_unreachable_stage_is_refused_at_its_line() -> None:
    # given a third stage nothing leads to
    text = MINIMAL + (
        "  - id: orphan\n"
        "    kind: disclosure\n"
        "    names: {zh_Hans: 孤, en: Orphan}\n"
        "    body: public\n"
        "    outcomes: {adopted: end}\n"
    )
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, "- id: orphan")
    assert "cannot be reached" in str(caught.value)


def test_a_chain_with_no_end_is_refused() -> None:
    # given the disclosure's adopted outcome leading back to the first stage
    text = MINIMAL.replace("outcomes: {adopted: end}", "outcomes: {adopted: first}")
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, "{adopted: first}")
    assert "has no end" in str(caught.value)


def test_returned_must_go_back_not_forward() -> None:
    text = MINIMAL.replace(
        "{adopted: second, rejected: end}", "{adopted: second, rejected: end, returned: second}"
    )
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, "returned: second")


def test_a_stage_without_a_quorum_rule_is_refused() -> None:
    text = MINIMAL.replace(
        '    quorum: {count: present, comparator: at_least, fraction: "2/3", of: members}\n', ""
    )
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, "- id: first")
    assert "quorum is missing" in str(caught.value)


# --------------------------------------------------------------------------- quorum, decisions


@pytest.mark.parametrize(
    ("present", "passed", "text"),
    [
        (29, False, "29 of 45 present < 2/3 of 45: no quorum"),
        (30, True, "30 of 45 present ≥ 2/3 of 45: quorum reached"),
    ],
)
def test_a_representatives_meeting_needs_two_thirds_present(
    present: int, passed: bool, text: str
) -> None:
    # given 45 representatives, when `present` attend
    stage = VILLAGE.stage("decision")
    assert stage.quorum is not None
    tally = Tally(members=45, present=present, yes=present)
    check = rules.evaluate_quorum(stage.quorum, tally)
    # then the quorum is reached exactly at 2/3 (30 of 45)
    assert check.passed is passed
    assert check.text() == text
    comparison = check.comparisons[0]
    assert (comparison.value, comparison.base, comparison.bound, comparison.needed) == (
        present,
        45,
        Fraction(30),
        30,
    )


def test_without_a_quorum_the_meeting_cannot_decide() -> None:
    # given 29 of 45 present, all in favour
    tally = Tally(members=45, present=29, yes=29)
    # when it tries to decide, then it is refused, saying why
    with pytest.raises(Conflict) as caught:
        rules.decide(VILLAGE.stage("decision"), tally)
    assert caught.value.params == {"stage": "decision"}
    assert caught.value.details[0].text() == "29 of 45 present < 2/3 of 45: no quorum"


@pytest.mark.parametrize(
    ("yes", "outcome", "text"),
    [
        (15, Outcome.REJECTED, "15 of 30 in favour ≤ 1/2 of 30: not adopted"),
        (16, Outcome.ADOPTED, "16 of 30 in favour > 1/2 of 30: adopted"),
    ],
)
def test_more_than_half_of_those_present_adopts(yes: int, outcome: Outcome, text: str) -> None:
    # given a quorate meeting of 30 of 45, when `yes` vote in favour
    stage = VILLAGE.stage("decision")
    assert stage.decision is not None
    tally = Tally(members=45, present=30, yes=yes, no=30 - yes)
    # then exactly half is not enough, one more is
    assert rules.decide(stage, tally) is outcome
    assert rules.evaluate_decision(stage.decision, tally).text() == text


def test_the_branch_committee_decides_by_more_than_half_of_all_its_members() -> None:
    # given 7 committee members, 5 present, 3 in favour: more than half present, not of all
    stage = VILLAGE.stage("proposal")
    assert stage.decision is not None
    tally = Tally(members=7, present=5, yes=3, no=2)
    check = rules.evaluate_decision(stage.decision, tally)
    assert check.text() == "3 in favour ≤ 1/2 of all 7 members: not adopted"
    assert rules.decide(stage, Tally(members=7, present=5, yes=4)) is Outcome.ADOPTED


def villagers_meeting() -> rules.Stage:
    text = VILLAGE_TEXT.replace(
        "body: villagers_representatives_meeting\n", "body: villagers_meeting\n"
    )
    return rules.load_procedure(text).stage("decision")


def test_a_villagers_meeting_is_quorate_with_two_thirds_of_the_households() -> None:
    # given a decision stage held by the villagers' meeting: 1000 villagers aged 18+, 300
    # households; 400 villagers attend (not more than half) representing 200 households
    stage = villagers_meeting()
    assert stage.roster is rules.Roster.VILLAGERS_18_PLUS
    assert stage.quorum is not None
    tally = Tally(members=1000, present=400, households_total=300, households_represented=200)
    # then two-thirds of the households make the quorum
    check = rules.evaluate_quorum(stage.quorum, tally)
    assert check.passed
    assert check.text() == "200 of 300 households represented ≥ 2/3 of 300: quorum reached"
    assert [c.passed for c in check.comparisons] == [False, True]
    # one household fewer, and neither alternative holds
    short = Tally(members=1000, present=400, households_total=300, households_represented=199)
    check = rules.evaluate_quorum(stage.quorum, short)
    assert not check.passed
    assert check.text() == "No quorum: none of the 2 alternatives is met."
    # more than half of the villagers is enough without counting households
    many = Tally(members=1000, present=501)
    assert rules.evaluate_quorum(stage.quorum, many).text() == (
        "501 of 1000 present > 1/2 of 1000: quorum reached"
    )
    assert not rules.evaluate_quorum(stage.quorum, Tally(members=1000, present=500)).passed


def test_a_villagers_meeting_needs_ten_days_notice() -> None:
    stage = villagers_meeting()
    assert stage.notice_days == 10
    assert rules.earliest_meeting(stage, date(2025, 3, 1)) == date(2025, 3, 11)
    assert rules.earliest_meeting(VILLAGE.stage("review"), date(2025, 3, 1)) == date(2025, 3, 1)


def test_the_community_council_needs_half_its_members() -> None:
    stage = COUNCIL.stage("decision")
    assert rules.decide(stage, Tally(members=20, present=10, yes=6, no=4)) is Outcome.ADOPTED
    with pytest.raises(Conflict):
        rules.decide(stage, Tally(members=20, present=9, yes=9))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"members": 45, "present": -1}, "present"),
        ({"members": 45, "present": 46}, "present"),
        ({"members": 45, "present": 30, "yes": 20, "no": 10, "abstain": 1}, "yes"),
        ({"members": 0, "present": 0}, "members"),
        (
            {"members": 9, "present": 9, "households_total": 3, "households_represented": 4},
            "households_represented",
        ),
        ({"members": 9, "present": 3, "proxies": 4}, "proxies"),
    ],
)
def test_a_tally_that_does_not_add_up_is_refused(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Tally(**kwargs)
    assert [problem.field for problem in caught.value.details] == [field]


def test_proxies_are_refused_where_the_stage_does_not_allow_them() -> None:
    tally = Tally(members=45, present=30, yes=16, proxies=2)
    with pytest.raises(InvalidInput) as caught:
        rules.decide(VILLAGE.stage("decision"), tally)
    assert caught.value.params == {"stage": "decision", "proxies": 2}


def test_a_disclosure_is_not_voted_on() -> None:
    with pytest.raises(Conflict):
        rules.decide(VILLAGE.stage("resolution_disclosure"), Tally(members=1, present=1, yes=1))


# --------------------------------------------------------------------------- the chain


def test_adopted_walks_the_whole_chain_to_the_end() -> None:
    stage_id: str | None = VILLAGE.first.id
    walked = []
    while stage_id is not None:
        walked.append(stage_id)
        stage_id = rules.next_stage(VILLAGE, stage_id, Outcome.ADOPTED)
    assert walked == [stage.id for stage in VILLAGE.stages]


def test_a_rejected_stage_ends_the_chain() -> None:
    # given the Party members' meeting rejects the matter, then the matter ends
    assert rules.next_stage(VILLAGE, "review", Outcome.REJECTED) is None
    assert rules.next_stage(VILLAGE, "decision", Outcome.REJECTED) is None


def test_returned_goes_back_to_the_stage_named() -> None:
    # given the representatives send the matter back, then the two committees revise it
    assert rules.next_stage(VILLAGE, "decision", Outcome.RETURNED) == "deliberation"
    # and objections upheld during the resolution's disclosure send it back too
    assert rules.next_stage(VILLAGE, "resolution_disclosure", Outcome.RETURNED) == "deliberation"


def test_an_outcome_a_stage_does_not_have_is_refused() -> None:
    with pytest.raises(Conflict):
        rules.next_stage(VILLAGE, "result_disclosure", Outcome.REJECTED)
    with pytest.raises(NotFound):
        rules.next_stage(VILLAGE, "assembly", Outcome.ADOPTED)


def test_one_person_in_both_posts_merges_proposal_into_deliberation() -> None:
    # given 一肩挑, when the stages are worked out
    stages = rules.effective_stages(VILLAGE, one_person=True)
    # then the proposal is made at the two committees' meeting
    assert [stage.id for stage in stages] == [
        "deliberation",
        "review",
        "decision",
        "resolution_disclosure",
        "result_disclosure",
    ]
    assert stages[0].merged_from == ("proposal",)
    # and returning to the proposal returns to that joint meeting
    merged = rules.effective_procedure(VILLAGE, one_person=True)
    assert rules.next_stage(merged, "deliberation", Outcome.RETURNED) == "deliberation"
    assert rules.next_stage(merged, "decision", Outcome.RETURNED) == "deliberation"
    # without 一肩挑 nothing changes
    assert rules.effective_stages(VILLAGE, one_person=False) == VILLAGE.stages


def test_merge_must_name_the_next_stage() -> None:
    text = VILLAGE_TEXT.replace(
        "merge_when_one_person: deliberation", "merge_when_one_person: review"
    )
    with pytest.raises(DataFileError) as caught:
        rules.load_procedure(text)
    assert caught.value.line == line_of(text, "merge_when_one_person: review")


# --------------------------------------------------------------------------- notices


def test_a_notice_closes_only_after_its_posting_period() -> None:
    # given a resolution posted at 09:30 on 3 March for 7 days
    posted = datetime(2025, 3, 3, 9, 30, tzinfo=CST)
    days = VILLAGE.stage("resolution_disclosure").posting_days
    assert days == 7
    closes = datetime(2025, 3, 10, 9, 30, tzinfo=CST)
    # then it may not close one second before the full period, and may at the moment it ends
    assert not rules.notice_may_close(posted, days, closes - timedelta(seconds=1))
    assert rules.notice_may_close(posted, days, closes)
    assert rules.notice_may_close(posted, days, closes.astimezone(UTC))
    assert rules.posting_closes_at(posted, days) == closes
    assert rules.objection_window_end(posted, 5) == datetime(2025, 3, 8, 9, 30, tzinfo=CST)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.notice_may_close(datetime(2025, 3, 3), 7, datetime(2025, 3, 11))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("kind", "last", "today", "due"),
    [
        (DisclosureKind.FINANCES, date(2025, 1, 15), date(2025, 2, 3), date(2025, 2, 28)),
        (DisclosureKind.FINANCES, date(2024, 12, 31), date(2025, 1, 2), date(2025, 1, 31)),
        (DisclosureKind.VILLAGE_AFFAIRS, date(2025, 2, 10), date(2025, 2, 11), date(2025, 6, 30)),
        (DisclosureKind.PARTY_AFFAIRS, date(2024, 12, 20), date(2025, 1, 5), date(2025, 3, 31)),
        (DisclosureKind.VILLAGE_AFFAIRS, date(2024, 5, 1), date(2025, 1, 5), date(2024, 9, 30)),
        (DisclosureKind.MAJOR_MATTERS, date(2025, 1, 15), date(2025, 2, 3), date(2025, 2, 3)),
        (DisclosureKind.FINANCES, None, date(2025, 2, 3), date(2025, 2, 3)),
    ],
)
def test_routine_disclosures_follow_the_statutory_rhythm(
    kind: DisclosureKind, last: date | None, today: date, due: date
) -> None:
    assert rules.next_due(kind, last, today) == due


def test_an_unknown_disclosure_kind_is_refused() -> None:
    with pytest.raises(InvalidInput):
        rules.next_due("weather", None, date(2025, 1, 1))


# --------------------------------------------------------------------------- personal data

ID_18 = "11010519491231002X"  # the GB 11643 example; check character X
ID_15 = "110105491231002"


def test_personal_data_is_found_and_masked() -> None:
    # given a notice naming people's numbers
    text = (
        f"张三，身份证{ID_18}，旧证{ID_15}；电话13800138000、138 0013 8000、"
        "+86 139-1234-5678；澳门+853 6612 3456，香港+852 9123 4567。"
    )
    # when it is scanned
    findings = rules.scan_personal_data(text)
    # then each number is found, in order, and masked as the registry masks it
    assert [(finding.kind, text[finding.start : finding.end]) for finding in findings] == [
        (FindingKind.ID_NUMBER, ID_18),
        (FindingKind.OLD_ID_NUMBER, ID_15),
        (FindingKind.MAINLAND_MOBILE, "13800138000"),
        (FindingKind.MAINLAND_MOBILE, "138 0013 8000"),
        (FindingKind.MAINLAND_MOBILE, "+86 139-1234-5678"),
        (FindingKind.MACAU_PHONE, "+853 6612 3456"),
        (FindingKind.HONG_KONG_PHONE, "+852 9123 4567"),
    ]
    assert rules.mask_personal_data(text) == (
        "张三，身份证110105********002X，旧证110105*****1002；电话138****8000、138****8000、"
        "139****5678；澳门+85*****3456，香港+85*****4567。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "身份证110105194912310021",  # wrong check digit
        "订单号 123456789012345678901",  # a long number, not an ID
        "金额12345678元",
        "编号 990105491231002",  # 15 digits, but 99 is no province
        "电话 12800138000",  # 12x is not a mobile prefix
        "138001380001",  # 12 digits
    ],
)
def test_numbers_that_are_not_personal_data_are_left_alone(text: str) -> None:
    assert rules.scan_personal_data(text) == []
    assert rules.mask_personal_data(text) == text


def test_a_lower_case_check_character_is_still_an_id() -> None:
    assert rules.mask_personal_data("id 11010519491231002x.") == "id 110105********002X."


# --------------------------------------------------------------------------- elections

ELECTION_DAY = date(2025, 6, 1)
REGION = "440511001"
assert VILLAGE.election is not None
RULE = VILLAGE.election.eligibility


def voter(**changes: object) -> Voter:
    values: dict[str, object] = {"id": "v1", "born": date(1980, 5, 4), "grid_code": REGION + "03"}
    values.update(changes)
    return Voter(**values)  # type: ignore[arg-type]


def test_an_adult_resident_is_eligible() -> None:
    assert rules.check_eligibility(RULE, voter(), ELECTION_DAY, region_code=REGION) is None
    born = date(2007, 6, 1)  # turns 18 on election day
    assert rules.check_eligibility(RULE, voter(born=born), ELECTION_DAY, region_code=REGION) is None


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        (
            {"born": date(2007, 6, 2)},
            "born",
            "Too young: voters must be 18 by 2025-06-01, and this voter turns 18 on 2025-06-02.",
        ),
        (
            {"grid_code": "44051200201"},
            "grid_code",
            "Not resident in this election's area: grid 44051200201 is outside 440511001.",
        ),
        (
            {"macau_resident": True},
            "macau_resident",
            "Macau residents are not eligible in this election.",
        ),
        (
            {"foreign_resident": True},
            "foreign_resident",
            "Foreign residents are not eligible in this election.",
        ),
    ],
)
def test_ineligible_voters_are_told_why(changes: dict[str, object], field: str, text: str) -> None:
    problem = rules.check_eligibility(RULE, voter(**changes), ELECTION_DAY, region_code=REGION)
    assert problem is not None
    assert (problem.field, problem.text()) == (field, text)


def test_an_election_may_include_macau_residents() -> None:
    # given an election whose rules include Macau residents
    text = VILLAGE_TEXT.replace("include_macau_residents: false", "include_macau_residents: true")
    election = rules.load_procedure(text).election
    assert election is not None
    macau = voter(macau_resident=True)
    assert (
        rules.check_eligibility(election.eligibility, macau, ELECTION_DAY, region_code=REGION)
        is None
    )


def test_a_leap_day_birthday_turns_on_the_first_of_march() -> None:
    leap = voter(born=date(2008, 2, 29))
    assert rules.check_eligibility(RULE, leap, date(2026, 2, 28), region_code=REGION) is not None
    assert rules.check_eligibility(RULE, leap, date(2026, 3, 1), region_code=REGION) is None


def test_election_rules_load_on_their_own_and_refuse_an_unknown_tie_break() -> None:
    text = (
        "eligibility:\n"
        "  min_age: 18\n"
        "  residence_in_region: true\n"
        "  include_macau_residents: true\n"
        "  include_foreign_residents: false\n"
        "tie_break: coin\n"
    )
    with pytest.raises(DataFileError) as caught:
        rules.load_election_rules(text)
    assert caught.value.line == 6
    loaded = rules.load_election_rules(text.replace("coin", "lot"))
    assert loaded.tie_break is TieBreak.LOT
    assert loaded.winning_share is None


CANDIDATES = [
    Candidate("chen", date(1970, 1, 1)),
    Candidate("lin", date(1975, 1, 1)),
    Candidate("wu", date(1965, 1, 1)),
    Candidate("zheng", date(1980, 1, 1)),
]
# Two seats: chen 4, lin 3, wu 3, zheng 1; one ballot marks too many, one someone unknown,
# one the same name twice, one is blank.
BALLOTS = [
    ("chen", "lin"),
    ("chen", "wu"),
    ("chen", "lin"),
    ("chen", "wu"),
    ("lin", "wu"),
    ("zheng",),
    (),
    ("chen", "lin", "wu"),
    ("chen", "huang"),
    ("lin", "lin"),
]


def count(tie_break: TieBreak, **kwargs: object) -> rules.CountResult:
    return rules.count_votes(
        election_id="2025-shantou-440511001",
        seats=2,
        candidates=kwargs.pop("candidates", CANDIDATES),  # type: ignore[arg-type]
        ballots=BALLOTS,
        tie_break=tie_break,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_count_adds_up() -> None:
    result = count(TieBreak.RUNOFF)
    assert (result.ballots_cast, result.valid_ballots, result.invalid_ballots) == (10, 7, 3)
    assert result.votes == {"chen": 4, "lin": 3, "wu": 3, "zheng": 1}
    assert result.blank_choices == 3  # one on zheng's ballot, two on the blank one
    assert sum(result.votes.values()) + result.blank_choices == result.valid_ballots * 2
    assert result.balanced


def test_a_tie_for_the_last_seat_goes_to_a_runoff() -> None:
    result = count(TieBreak.RUNOFF)
    assert result.elected == ("chen",)
    assert result.tied == ("lin", "wu")
    assert (result.runoff, result.runoff_seats, result.unfilled) == (("lin", "wu"), 1, 0)


def test_a_tie_for_the_last_seat_goes_to_the_older() -> None:
    result = count(TieBreak.OLDER_FIRST)
    assert result.elected == ("chen", "wu")  # wu, born 1965, is older than lin
    assert result.runoff == ()


def test_older_first_with_the_same_birthday_still_needs_a_runoff() -> None:
    twins = [
        Candidate("chen"),
        Candidate("lin", date(1975, 1, 1)),
        Candidate("wu", date(1975, 1, 1)),
    ]
    result = count(TieBreak.OLDER_FIRST, candidates=[*twins, Candidate("zheng")])
    assert result.elected == ("chen",)
    assert (result.runoff, result.runoff_seats) == (("lin", "wu"), 1)


def test_older_first_needs_the_tied_candidates_birth_dates() -> None:
    undated = [Candidate("chen"), Candidate("lin"), Candidate("wu"), Candidate("zheng")]
    with pytest.raises(InvalidInput):
        count(TieBreak.OLDER_FIRST, candidates=undated)


def test_a_tie_drawn_by_lot_is_deterministic_and_recorded() -> None:
    # given the tie between lin and wu drawn by lot
    first = count(TieBreak.LOT)
    again = count(TieBreak.LOT)
    # then anyone can redo the draw from the recorded seed and get the same result
    expected_seed = hashlib.sha256(b"2025-shantou-440511001\x1flin\x1fwu").hexdigest()
    assert first.seed == expected_seed
    drawn = sorted(
        ["lin", "wu"], key=lambda c: hashlib.sha256(f"{expected_seed}\x1f{c}".encode()).hexdigest()
    )
    assert first.draw == tuple(drawn)
    assert first.elected == ("chen", drawn[0])
    assert again == first
    assert first.runoff == ()


def test_a_candidate_needs_more_than_half_of_the_ballots_cast() -> None:
    # given the rule that the elected need more than half the 10 ballots cast
    result = count(TieBreak.RUNOFF, winning_share=Fraction(1, 2))
    # then nobody reaches 6 votes and both seats stay open for another round
    assert result.elected == ()
    assert result.unfilled == 2


def test_no_tie_elects_the_top_candidates() -> None:
    result = rules.count_votes(
        election_id="e",
        seats=1,
        candidates=CANDIDATES,
        ballots=[("chen",), ("chen",), ("lin",)],
        tie_break=TieBreak.LOT,
    )
    assert (result.elected, result.tied, result.seed) == (("chen",), (), None)
