"""Elections of deliberation representatives (议事代表选举): constituencies and seats,
eligibility rules as data, nomination and eligibility review, one secret vote per
eligible voter, the count with the election's tie rule, and the result published as a
notice with its objection window.

``check_*`` validates and authorises, ``do_*`` changes state in the caller's
transaction and appends an audit row. ``now`` is always passed in.

Secrecy. Casting a vote writes two rows with nothing in common: a ``BallotReceipt``
(box ``election:<id>``, voter ``resident:<id>``, unique: one vote per voter however
many requests race) and a ``SecretBallot`` (box ``election:<id>/<constituency id>``, the
chosen candidate ids sorted) with no timestamp, whose id is drawn at random so that
ballot ids do not follow receipt ids. The audit row of a vote names the voter, never
the choices. Ballots are per constituency so that blank ballots are counted where
they were cast.

One module per concern (see each module's docstring); this package keeps their names
in one place.
"""

from __future__ import annotations

from gridgov.deliberation.elections.common import (
    _HMT_DOCUMENTS,
    _HMT_NATIONALITIES,
    _RULES_CACHE,
    ALLOWED,
    CLERK_ROLES,
    DEFAULT_TEMPLATE,
    ELECTION_ROLES,
    HONG_KONG_NATIONALITY,
    MACAU_NATIONALITY,
    MAX_CONSTITUENCIES,
    MAX_SEATS,
    REASON_LIMIT,
    STATEMENT_LIMIT,
    TAIWAN_NATIONALITY,
    TZ,
    RuleLine,
    _move,
    _parse_rules,
    ballot_box_of,
    box_of,
    check_may_clerk,
    check_may_run,
    check_rules,
    may_see_staff,
    rules_in_words,
    rules_of,
    rules_text,
    state_of,
    template_rules,
    transition,
    voter_key,
)
from gridgov.deliberation.elections.counting import (
    _ensure,
    do_count,
    do_publish,
    result_notice_text,
)
from gridgov.deliberation.elections.nomination import (
    _MEETS,
    _auto_review,
    _candidate,
    do_nominate,
    do_open_review,
    do_open_voting,
    do_review_candidate,
    do_withdraw_candidate,
)
from gridgov.deliberation.elections.roll import (
    Review,
    _id_number,
    candidates_of,
    constituencies_of,
    constituency_for,
    election_day,
    eligibility_problem,
    get_election,
    has_voted,
    list_elections,
    receipts_count,
    result_notice,
    result_of,
    review_of,
    voter_of,
)
from gridgov.deliberation.elections.setup import (
    ConstituencyInput,
    ElectionDraft,
    check_create_election,
    do_create_election,
)
from gridgov.deliberation.elections.voting import (
    Ballot,
    _cast,
    _check_choices,
    check_voter,
    check_voting_open,
    do_record_paper_ballot,
    do_vote,
    find_voter,
)

__all__ = [
    "ALLOWED",
    "CLERK_ROLES",
    "DEFAULT_TEMPLATE",
    "ELECTION_ROLES",
    "HONG_KONG_NATIONALITY",
    "MACAU_NATIONALITY",
    "MAX_CONSTITUENCIES",
    "MAX_SEATS",
    "REASON_LIMIT",
    "STATEMENT_LIMIT",
    "TAIWAN_NATIONALITY",
    "TZ",
    "_HMT_DOCUMENTS",
    "_HMT_NATIONALITIES",
    "_MEETS",
    "_RULES_CACHE",
    "Ballot",
    "ConstituencyInput",
    "ElectionDraft",
    "Review",
    "RuleLine",
    "_auto_review",
    "_candidate",
    "_cast",
    "_check_choices",
    "_ensure",
    "_id_number",
    "_move",
    "_parse_rules",
    "ballot_box_of",
    "box_of",
    "candidates_of",
    "check_create_election",
    "check_may_clerk",
    "check_may_run",
    "check_rules",
    "check_voter",
    "check_voting_open",
    "constituencies_of",
    "constituency_for",
    "do_count",
    "do_create_election",
    "do_nominate",
    "do_open_review",
    "do_open_voting",
    "do_publish",
    "do_record_paper_ballot",
    "do_review_candidate",
    "do_vote",
    "do_withdraw_candidate",
    "election_day",
    "eligibility_problem",
    "find_voter",
    "get_election",
    "has_voted",
    "list_elections",
    "may_see_staff",
    "receipts_count",
    "result_notice",
    "result_notice_text",
    "result_of",
    "review_of",
    "rules_in_words",
    "rules_of",
    "rules_text",
    "state_of",
    "template_rules",
    "transition",
    "voter_key",
    "voter_of",
]
