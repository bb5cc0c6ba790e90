"""Deliberation and disclosure: procedure templates, standing bodies' members, matters
and their steps, meetings with roster snapshots, sign-ins, votes and secret ballots,
files, notices and objections, implementation records, discussions, proposals,
comments, reports, elections; and a resident's account linked to their register entry.

Revision ID: 0005_deliberation
Revises: 0004_indicators
Create Date: 2026-11-29 03:01:14.400079
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0005_deliberation"
down_revision: str | None = "0004_indicators"


def upgrade() -> None:
    op.create_table(
        "ballot_receipt",
        integer("id"),
        string("box", 48),
        string("voter", 48),
        ts("at"),
        pk("ballot_receipt"),
        sa.UniqueConstraint("box", "voter", name=op.f("uq_ballot_receipt_box")),
    )
    op.create_table(
        "deliberation_file",
        integer("id"),
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
        pk("deliberation_file"),
    )
    index("deliberation_file", "owner_type", "owner_id", name="ix_deliberation_file_owner")

    op.create_table(
        "procedure_template",
        integer("id"),
        string("key", 48),
        integer("revision"),
        string("name_zh", 128),
        string("name_en", 128),
        text("source"),
        string("sha256", 64),
        ts("loaded_at"),
        string("loaded_by", 64),
        pk("procedure_template"),
        sa.UniqueConstraint("key", "revision", name=op.f("uq_procedure_template_key")),
    )
    op.create_table(
        "secret_ballot",
        integer("id"),
        string("box", 48),
        text("choices"),
        pk("secret_ballot"),
    )
    index("secret_ballot", "box")

    op.create_table(
        "election",
        integer("id"),
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
        sa.CheckConstraint(
            "state IN ('nomination', 'review', 'voting', 'counted', 'published')",
            name=op.f("ck_election_state"),
        ),
        fk("election", "region_code", "region.code"),
        pk("election"),
    )
    index("election", "region_code")

    op.create_table(
        "constituency",
        integer("id"),
        integer("election_id"),
        string("name", 128),
        string("region_code", 18),
        integer("seats"),
        fk("constituency", "election_id", "election.id"),
        fk("constituency", "region_code", "region.code"),
        pk("constituency"),
    )
    index("constituency", "election_id")

    op.create_table(
        "body_member",
        integer("id"),
        string("region_code", 18),
        string("body", 32),
        integer("resident_id"),
        string("title", 64),
        date("since", nullable=True),
        fk("body_member", "region_code", "region.code"),
        fk("body_member", "resident_id", "resident.id"),
        pk("body_member"),
        sa.UniqueConstraint(
            "region_code", "body", "resident_id", name=op.f("uq_body_member_region_code")
        ),
    )
    index("body_member", "region_code", "body", name="ix_body_member_region_code_body")

    op.create_table(
        "candidate",
        integer("id"),
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
        sa.CheckConstraint(
            "state IN ('nominated', 'eligible', 'ineligible', 'withdrawn')",
            name=op.f("ck_candidate_state"),
        ),
        fk("candidate", "constituency_id", "constituency.id"),
        fk("candidate", "election_id", "election.id"),
        fk("candidate", "resident_id", "resident.id"),
        pk("candidate"),
        sa.UniqueConstraint("election_id", "resident_id", name=op.f("uq_candidate_election_id")),
    )
    index("candidate", "election_id")

    op.create_table(
        "content_report",
        integer("id"),
        string("target_type", 24),
        integer("target_id"),
        string("reason", 500),
        integer("reporter_user_id", nullable=True),
        ts("at"),
        ts("resolved_at", nullable=True),
        string("resolved_by", 64, nullable=True),
        fk("content_report", "reporter_user_id", "user_account.id"),
        pk("content_report"),
    )
    index("content_report", "target_type", "target_id", name="ix_content_report_target")

    op.create_table(
        "deliberation_comment",
        integer("id"),
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
        fk("deliberation_comment", "author_user_id", "user_account.id"),
        pk("deliberation_comment"),
    )
    index("deliberation_comment", "target_type", "target_id", name="ix_deliberation_comment_target")

    op.create_table(
        "discussion",
        integer("id"),
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
        fk("discussion", "author_user_id", "user_account.id"),
        fk("discussion", "region_code", "region.code"),
        pk("discussion"),
    )
    index("discussion", "region_code")

    op.create_table(
        "proposal",
        integer("id"),
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
        sa.CheckConstraint(
            "state IN ('submitted', 'accepted', 'merged', 'not_adopted')",
            name=op.f("ck_proposal_state"),
        ),
        fk("proposal", "author_user_id", "user_account.id"),
        fk("proposal", "discussion_id", "discussion.id"),
        fk("proposal", "merged_into_id", "proposal.id"),
        fk("proposal", "region_code", "region.code"),
        pk("proposal"),
    )
    index("proposal", "discussion_id")
    index("proposal", "region_code")

    op.create_table(
        "matter",
        integer("id"),
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
        sa.CheckConstraint(
            "state IN ('open', 'rejected', 'completed', 'withdrawn')", name=op.f("ck_matter_state")
        ),
        fk("matter", "proposal_id", "proposal.id"),
        fk("matter", "region_code", "region.code"),
        fk("matter", "template_id", "procedure_template.id"),
        pk("matter"),
    )
    index("matter", "region_code")

    op.create_table(
        "implementation",
        integer("id"),
        string("region_code", 18),
        integer("matter_id", nullable=True),
        integer("proposal_id", nullable=True),
        string("title", 200),
        string("owner", 128),
        string("state", 16),
        integer("progress"),
        ts("created_at"),
        ts("completed_at", nullable=True),
        sa.CheckConstraint(
            "state IN ('not_started', 'in_progress', 'done')", name=op.f("ck_implementation_state")
        ),
        fk("implementation", "matter_id", "matter.id"),
        fk("implementation", "proposal_id", "proposal.id"),
        fk("implementation", "region_code", "region.code"),
        pk("implementation"),
        sa.UniqueConstraint("matter_id", name=op.f("uq_implementation_matter_id")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_implementation_proposal_id")),
    )
    index("implementation", "region_code")

    op.create_table(
        "meeting",
        integer("id"),
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
        sa.CheckConstraint(
            "state IN ('convened', 'in_session', 'decided', 'no_quorum', 'cancelled')",
            name=op.f("ck_meeting_state"),
        ),
        sa.CheckConstraint(
            "voting IN ('show_of_hands', 'roll_call', 'secret_ballot')",
            name=op.f("ck_meeting_voting"),
        ),
        fk("meeting", "matter_id", "matter.id"),
        fk("meeting", "region_code", "region.code"),
        pk("meeting"),
    )
    index("meeting", "matter_id")
    index("meeting", "region_code")

    op.create_table(
        "notice",
        integer("id"),
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
        sa.CheckConstraint(
            "kind IN ('resolution', 'result', 'village_affairs', 'party_affairs', 'finances', 'major_matters', 'election_result', 'other')",
            name=op.f("ck_notice_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'posted', 'closed', 'withdrawn')", name=op.f("ck_notice_state")
        ),
        fk("notice", "election_id", "election.id"),
        fk("notice", "matter_id", "matter.id"),
        fk("notice", "region_code", "region.code"),
        pk("notice"),
    )
    index("notice", "matter_id")
    index("notice", "region_code", "kind", name="ix_notice_region_code_kind")

    op.create_table(
        "implementation_update",
        integer("id"),
        integer("implementation_id"),
        ts("at"),
        string("author", 64),
        text("text"),
        integer("progress"),
        fk("implementation_update", "implementation_id", "implementation.id"),
        pk("implementation_update"),
    )
    index("implementation_update", "implementation_id")

    op.create_table(
        "matter_step",
        integer("id"),
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
        sa.CheckConstraint(
            "outcome IN ('adopted', 'rejected', 'returned')", name=op.f("ck_matter_step_outcome")
        ),
        fk("matter_step", "matter_id", "matter.id"),
        fk("matter_step", "meeting_id", "meeting.id"),
        fk("matter_step", "notice_id", "notice.id"),
        pk("matter_step"),
    )
    index("matter_step", "matter_id")

    op.create_table(
        "meeting_member",
        integer("id"),
        integer("meeting_id"),
        integer("resident_id", nullable=True),
        string("name", 128),
        integer("household_id", nullable=True),
        ts("signed_in_at", nullable=True),
        integer("proxy_for_id", nullable=True),
        string("recorded_by", 64, nullable=True),
        fk("meeting_member", "household_id", "household.id"),
        fk("meeting_member", "meeting_id", "meeting.id"),
        fk("meeting_member", "proxy_for_id", "meeting_member.id"),
        fk("meeting_member", "resident_id", "resident.id"),
        pk("meeting_member"),
        sa.UniqueConstraint("meeting_id", "resident_id", name=op.f("uq_meeting_member_meeting_id")),
    )
    index("meeting_member", "meeting_id")

    op.create_table(
        "milestone",
        integer("id"),
        integer("implementation_id"),
        string("title", 200),
        date("due_on"),
        date("done_on", nullable=True),
        integer("position"),
        fk("milestone", "implementation_id", "implementation.id"),
        pk("milestone"),
    )
    index("milestone", "implementation_id")

    op.create_table(
        "notice_objection",
        integer("id"),
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
        fk("notice_objection", "author_user_id", "user_account.id"),
        fk("notice_objection", "notice_id", "notice.id"),
        pk("notice_objection"),
    )
    index("notice_objection", "notice_id")

    op.create_table(
        "meeting_vote",
        integer("id"),
        integer("meeting_id"),
        integer("member_id"),
        string("choice", 8),
        ts("at"),
        string("recorded_by", 64),
        sa.CheckConstraint(
            "choice IN ('yes', 'no', 'abstain')", name=op.f("ck_meeting_vote_choice")
        ),
        fk("meeting_vote", "meeting_id", "meeting.id"),
        fk("meeting_vote", "member_id", "meeting_member.id"),
        pk("meeting_vote"),
        sa.UniqueConstraint("meeting_id", "member_id", name=op.f("uq_meeting_vote_meeting_id")),
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
