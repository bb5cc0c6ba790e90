"""Deliberation and disclosure: procedure templates, standing bodies' members, matters
and their steps, meetings with roster snapshots, sign-ins, votes and secret ballots,
files, notices and objections, implementation records, discussions, proposals,
comments, reports, elections; and a resident's account linked to their register entry.

Create Date: 2026-11-29 03:01:14.400079
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0005_deliberation"
down_revision: str | None = "0004_indicators"


def upgrade() -> None:
    table(
        "ballot_receipt",
        string("box", 48),
        string("voter", 48),
        ts("at"),
        sa.UniqueConstraint("box", "voter", name=op.f("uq_ballot_receipt_box")),
    )
    table(
        "deliberation_file",
        string("owner_type", 24),
        integer("owner_id"),
        string("purpose", 24),
        string("name", 128),
        string("content_type", 64),
        integer("size"),
        string("sha256", 64),
        binary("data"),
        string("uploaded_by", 64),
        ts("uploaded_at"),
    )
    index("deliberation_file", "owner_type", "owner_id", name="ix_deliberation_file_owner")

    table(
        "procedure_template",
        string("key", 48),
        integer("revision"),
        string("name_zh", 128),
        string("name_en", 128),
        text("source"),
        string("sha256", 64),
        ts("loaded_at"),
        string("loaded_by", 64),
        sa.UniqueConstraint("key", "revision", name=op.f("uq_procedure_template_key")),
    )
    table("secret_ballot", string("box", 48), text("choices"))
    index("secret_ballot", "box")

    table(
        "election",
        string("region_code", 18),
        string("title", 200),
        text("rules"),
        string("state", 16),
        ts("voting_opens_at"),
        ts("voting_closes_at"),
        string("created_by", 64),
        ts("created_at"),
        ts("counted_at", nullable=True),
        text("result"),
        checks={"state": ("nomination", "review", "voting", "counted", "published")},
        refs={"region_code": "region.code"},
    )
    index("election", "region_code")

    table(
        "constituency",
        integer("election_id"),
        string("name", 128),
        string("region_code", 18),
        integer("seats"),
        refs={"election_id": "election.id", "region_code": "region.code"},
    )
    index("constituency", "election_id")

    table(
        "body_member",
        string("region_code", 18),
        string("body", 32),
        integer("resident_id"),
        string("title", 64),
        date("since", nullable=True),
        sa.UniqueConstraint(
            "region_code", "body", "resident_id", name=op.f("uq_body_member_region_code")
        ),
        refs={"region_code": "region.code", "resident_id": "resident.id"},
    )
    index("body_member", "region_code", "body", name="ix_body_member_region_code_body")

    table(
        "candidate",
        integer("election_id"),
        integer("constituency_id"),
        integer("resident_id"),
        string("name", 128),
        text("statement"),
        string("nominated_by", 64),
        ts("nominated_at"),
        string("state", 16),
        string("review_reason", 500),
        string("reviewed_by", 64, nullable=True),
        integer("votes", nullable=True),
        boolean("elected", nullable=True),
        sa.UniqueConstraint("election_id", "resident_id", name=op.f("uq_candidate_election_id")),
        checks={"state": ("nominated", "eligible", "ineligible", "withdrawn")},
        refs={
            "constituency_id": "constituency.id",
            "election_id": "election.id",
            "resident_id": "resident.id",
        },
    )
    index("candidate", "election_id")

    table(
        "content_report",
        string("target_type", 24),
        integer("target_id"),
        string("reason", 500),
        integer("reporter_user_id", nullable=True),
        ts("at"),
        ts("resolved_at", nullable=True),
        string("resolved_by", 64, nullable=True),
        refs={"reporter_user_id": "user_account.id"},
    )
    index("content_report", "target_type", "target_id", name="ix_content_report_target")

    table(
        "deliberation_comment",
        string("target_type", 24),
        integer("target_id"),
        string("stage_id", 48, nullable=True),
        boolean("supervision"),
        text("text"),
        string("language", 16),
        string("author_name", 64),
        integer("author_user_id", nullable=True),
        string("author_role", 32),
        ts("created_at"),
        boolean("held"),
        string("hidden_reason", 200, nullable=True),
        refs={"author_user_id": "user_account.id"},
    )
    index("deliberation_comment", "target_type", "target_id", name="ix_deliberation_comment_target")

    table(
        "discussion",
        string("region_code", 18),
        string("title", 200),
        text("body"),
        string("language", 16),
        string("author_name", 64),
        integer("author_user_id", nullable=True),
        ts("created_at"),
        boolean("closed"),
        boolean("held"),
        string("hidden_reason", 200, nullable=True),
        refs={"author_user_id": "user_account.id", "region_code": "region.code"},
    )
    index("discussion", "region_code")

    table(
        "proposal",
        string("region_code", 18),
        integer("discussion_id", nullable=True),
        string("title", 200),
        text("body"),
        string("language", 16),
        string("author_name", 64),
        integer("author_user_id", nullable=True),
        ts("created_at"),
        string("state", 16),
        text("answer"),
        string("answered_by", 64, nullable=True),
        ts("answered_at", nullable=True),
        integer("merged_into_id", nullable=True),
        boolean("held"),
        string("hidden_reason", 200, nullable=True),
        checks={"state": ("submitted", "accepted", "merged", "not_adopted")},
        refs={
            "author_user_id": "user_account.id",
            "discussion_id": "discussion.id",
            "merged_into_id": "proposal.id",
            "region_code": "region.code",
        },
    )
    index("proposal", "discussion_id")
    index("proposal", "region_code")

    table(
        "matter",
        string("region_code", 18),
        string("title", 200),
        text("description"),
        integer("template_id"),
        boolean("one_person"),
        string("stage_id", 48, nullable=True),
        string("state", 16),
        integer("proposal_id", nullable=True),
        string("created_by", 64),
        ts("created_at"),
        ts("updated_at"),
        integer("version"),
        checks={"state": ("open", "rejected", "completed", "withdrawn")},
        refs={
            "proposal_id": "proposal.id",
            "region_code": "region.code",
            "template_id": "procedure_template.id",
        },
    )
    index("matter", "region_code")

    table(
        "implementation",
        string("region_code", 18),
        integer("matter_id", nullable=True),
        integer("proposal_id", nullable=True),
        string("title", 200),
        string("owner", 128),
        string("state", 16),
        integer("progress"),
        ts("created_at"),
        ts("completed_at", nullable=True),
        sa.UniqueConstraint("matter_id", name=op.f("uq_implementation_matter_id")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_implementation_proposal_id")),
        checks={"state": ("not_started", "in_progress", "done")},
        refs={"matter_id": "matter.id", "proposal_id": "proposal.id", "region_code": "region.code"},
    )
    index("implementation", "region_code")

    table(
        "meeting",
        string("region_code", 18),
        integer("matter_id", nullable=True),
        string("stage_id", 48, nullable=True),
        string("body", 48),
        string("title", 200),
        string("place", 200),
        ts("notified_at"),
        ts("starts_at"),
        string("voting", 16),
        string("state", 16),
        boolean("proxies_allowed"),
        integer("members"),
        integer("households_total"),
        integer("households_represented"),
        integer("present"),
        integer("proxies"),
        integer("yes"),
        integer("no"),
        integer("abstain"),
        boolean("quorum_met", nullable=True),
        string("outcome", 16, nullable=True),
        text("explanation"),
        text("minutes"),
        string("clerk", 64),
        ts("created_at"),
        ts("decided_at", nullable=True),
        integer("version"),
        checks={
            "state": ("convened", "in_session", "decided", "no_quorum", "cancelled"),
            "voting": ("show_of_hands", "roll_call", "secret_ballot"),
        },
        refs={"matter_id": "matter.id", "region_code": "region.code"},
    )
    index("meeting", "matter_id")
    index("meeting", "region_code")

    table(
        "notice",
        string("region_code", 18),
        string("kind", 24),
        string("title", 200),
        text("body"),
        string("language", 16),
        integer("matter_id", nullable=True),
        integer("election_id", nullable=True),
        string("state", 16),
        integer("posting_days"),
        integer("objection_days"),
        string("channels", 64),
        integer("masked_findings"),
        string("created_by", 64),
        ts("created_at"),
        string("posted_by", 64, nullable=True),
        ts("posted_at", nullable=True),
        ts("closes_at", nullable=True),
        ts("objections_until", nullable=True),
        ts("closed_at", nullable=True),
        checks={
            "kind": (
                "resolution",
                "result",
                "village_affairs",
                "party_affairs",
                "finances",
                "major_matters",
                "election_result",
                "other",
            ),
            "state": ("draft", "posted", "closed", "withdrawn"),
        },
        refs={"election_id": "election.id", "matter_id": "matter.id", "region_code": "region.code"},
    )
    index("notice", "matter_id")
    index("notice", "region_code", "kind", name="ix_notice_region_code_kind")

    table(
        "implementation_update",
        integer("implementation_id"),
        ts("at"),
        string("author", 64),
        text("text"),
        integer("progress"),
        refs={"implementation_id": "implementation.id"},
    )
    index("implementation_update", "implementation_id")

    table(
        "matter_step",
        integer("matter_id"),
        string("stage_id", 48),
        string("outcome", 16),
        string("next_stage_id", 48, nullable=True),
        integer("meeting_id", nullable=True),
        integer("notice_id", nullable=True),
        text("explanation"),
        text("note"),
        string("actor", 64),
        ts("at"),
        checks={"outcome": ("adopted", "rejected", "returned")},
        refs={"matter_id": "matter.id", "meeting_id": "meeting.id", "notice_id": "notice.id"},
    )
    index("matter_step", "matter_id")

    table(
        "meeting_member",
        integer("meeting_id"),
        integer("resident_id", nullable=True),
        string("name", 128),
        integer("household_id", nullable=True),
        ts("signed_in_at", nullable=True),
        integer("proxy_for_id", nullable=True),
        string("recorded_by", 64, nullable=True),
        sa.UniqueConstraint("meeting_id", "resident_id", name=op.f("uq_meeting_member_meeting_id")),
        refs={
            "household_id": "household.id",
            "meeting_id": "meeting.id",
            "proxy_for_id": "meeting_member.id",
            "resident_id": "resident.id",
        },
    )
    index("meeting_member", "meeting_id")

    table(
        "milestone",
        integer("implementation_id"),
        string("title", 200),
        date("due_on"),
        date("done_on", nullable=True),
        integer("position"),
        refs={"implementation_id": "implementation.id"},
    )
    index("milestone", "implementation_id")

    table(
        "notice_objection",
        integer("notice_id"),
        string("kind", 16),
        text("text"),
        string("language", 16),
        string("author_name", 64),
        integer("author_user_id", nullable=True),
        ts("at"),
        text("answer"),
        string("answered_by", 64, nullable=True),
        ts("answered_at", nullable=True),
        string("hidden_reason", 200, nullable=True),
        refs={"author_user_id": "user_account.id", "notice_id": "notice.id"},
    )
    index("notice_objection", "notice_id")

    table(
        "meeting_vote",
        integer("meeting_id"),
        integer("member_id"),
        string("choice", 8),
        ts("at"),
        string("recorded_by", 64),
        sa.UniqueConstraint("meeting_id", "member_id", name=op.f("uq_meeting_vote_meeting_id")),
        checks={"choice": ("yes", "no", "abstain")},
        refs={"meeting_id": "meeting.id", "member_id": "meeting_member.id"},
    )
    index("meeting_vote", "meeting_id")

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(integer("resident_id", nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_user_account_resident_id"), ["resident_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_resident_id_resident"), "resident", ["resident_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_user_account_resident_id_resident"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_user_account_resident_id"), type_="unique")
        batch_op.drop_column("resident_id")

    drop_tables(
        "meeting_vote",
        "notice_objection",
        "milestone",
        "meeting_member",
        "matter_step",
        "implementation_update",
        "notice",
        "meeting",
        "implementation",
        "matter",
        "proposal",
        "discussion",
        "deliberation_comment",
        "content_report",
        "candidate",
        "body_member",
        "constituency",
        "election",
        "secret_ballot",
        "procedure_template",
        "deliberation_file",
        "ballot_receipt",
    )
