"""The member pipeline and pledges as pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.deliberation.rules import Tally
from gridgov.errors import Conflict, InvalidInput
from gridgov.outreach.rules import (
    PledgeState,
    Stage,
    Step,
    StepDone,
    branch_vote,
    check_promotion,
    check_step,
    funnel,
    pledge_transition,
    visit_due,
)


def test_an_activist_cannot_become_a_development_target_before_a_year() -> None:
    since = date(2026, 1, 10)
    done = [StepDone(Step.TRAINING, date(2026, 3, 1), hours=12)]
    with pytest.raises(Conflict) as refused:
        check_promotion(Stage.ACTIVIST, since, done, today=date(2026, 12, 1))
    assert "2027-01-10" in str(refused.value)
    assert check_promotion(Stage.ACTIVIST, since, done, today=date(2027, 1, 10)) is Stage.TARGET


def test_a_probationary_members_vote_before_the_year_is_refused() -> None:
    with pytest.raises(Conflict):
        check_step(
            Stage.PROBATIONARY,
            Step.BRANCH_VOTE,
            since=date(2026, 6, 1),
            on=date(2027, 5, 31),
            today=date(2027, 6, 2),
        )
    check_step(
        Stage.PROBATIONARY,
        Step.BRANCH_VOTE,
        since=date(2026, 6, 1),
        on=date(2027, 6, 1),
        today=date(2027, 6, 2),
    )


def test_a_step_in_the_future_or_not_of_the_stage_is_refused() -> None:
    with pytest.raises(InvalidInput):
        check_step(Stage.APPLICANT, Step.TALK, date(2026, 1, 1), date(2026, 2, 2), date(2026, 2, 1))
    with pytest.raises(InvalidInput):
        check_step(
            Stage.APPLICANT, Step.BRANCH_VOTE, date(2026, 1, 1), date(2026, 1, 5), date(2026, 2, 1)
        )


def test_a_development_target_needs_review_24_hours_and_an_adopted_vote() -> None:
    since = date(2026, 1, 1)
    done = [
        StepDone(Step.POLITICAL_REVIEW, date(2026, 2, 1)),
        StepDone(Step.TRAINING, date(2026, 2, 5), hours=16),
    ]
    with pytest.raises(Conflict) as refused:
        check_promotion(Stage.TARGET, since, done, today=date(2026, 3, 1))
    assert "training" in str(refused.value)
    assert "branch_vote" in str(refused.value)
    done += [
        StepDone(Step.TRAINING, date(2026, 2, 6), hours=8),
        StepDone(Step.BRANCH_VOTE, date(2026, 2, 20), adopted=True),
    ]
    assert check_promotion(Stage.TARGET, since, done, today=date(2026, 3, 1)) is Stage.PROBATIONARY


def test_a_branch_vote_without_quorum_is_refused() -> None:
    # 9 of 20 members present is not more than half: no quorum
    with pytest.raises(Conflict) as refused:
        branch_vote(Tally(members=20, present=9, yes=9))
    assert refused.value.details[0].params["present"] == 9
    # 11 present, 11 in favour: more than half of all 20 members, adopted
    assert branch_vote(Tally(members=20, present=11, yes=11)) is True
    # 15 present, 10 in favour: not more than half of the 20 members
    assert branch_vote(Tally(members=20, present=15, yes=10, no=5)) is False


def test_the_funnel_counts_each_stage_in_order() -> None:
    counts = funnel([Stage.APPLICANT] * 12 + [Stage.ACTIVIST] * 9 + [Stage.PROBATIONARY] * 2)
    assert list(counts.values()) == [0, 12, 9, 0, 2, 0]


def test_pledges_move_only_along_the_table() -> None:
    assert pledge_transition(PledgeState.SUBMITTED, PledgeState.APPROVED) is PledgeState.APPROVED
    with pytest.raises(Conflict):
        pledge_transition(PledgeState.SUBMITTED, PledgeState.FULFILLED)


def test_a_household_is_due_after_the_period() -> None:
    assert visit_due(None, date(2026, 12, 1))
    assert not visit_due(date(2026, 10, 1), date(2026, 12, 1))
    assert visit_due(date(2026, 9, 1), date(2026, 12, 1))
