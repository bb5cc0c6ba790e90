"""Deliberation and disclosure: procedure templates, standing bodies' members, matters
and their steps, meetings with roster snapshots, sign-ins, votes and secret ballots,
files, notices and objections, implementation records, discussions, proposals,
comments, reports, elections; and a resident's account linked to their register entry.

Revision ID: 0005_deliberation
Revises: 0004_indicators
Create Date: 2026-11-29 03:01:14.400079
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_deliberation"
down_revision: str | None = "0004_indicators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballot_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box", sa.String(length=48), nullable=False),
        sa.Column("voter", sa.String(length=48), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_receipt")),
        sa.UniqueConstraint("box", "voter", name=op.f("uq_ballot_receipt_box")),
    )
    op.create_table(
        "deliberation_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_type", sa.String(length=24), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliberation_file")),
    )
    with op.batch_alter_table("deliberation_file", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliberation_file_owner", ["owner_type", "owner_id"], unique=False
        )

    op.create_table(
        "procedure_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_template")),
        sa.UniqueConstraint("key", "revision", name=op.f("uq_procedure_template_key")),
    )
    op.create_table(
        "secret_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box", sa.String(length=48), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_ballot")),
    )
    with op.batch_alter_table("secret_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_secret_ballot_box"), ["box"], unique=False)

    op.create_table(
        "election",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("voting_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('nomination', 'review', 'voting', 'counted', 'published')",
            name=op.f("ck_election_state"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_election_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election")),
    )
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_election_region_code"), ["region_code"], unique=False)

    op.create_table(
        "constituency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_constituency_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_constituency_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_constituency")),
    )
    with op.batch_alter_table("constituency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_constituency_election_id"), ["election_id"], unique=False
        )

    op.create_table(
        "body_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("body", sa.String(length=32), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_body_member_region_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_body_member_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_member")),
        sa.UniqueConstraint(
            "region_code", "body", "resident_id", name=op.f("uq_body_member_region_code")
        ),
    )
    with op.batch_alter_table("body_member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_body_member_region_code_body", ["region_code", "body"], unique=False
        )

    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("constituency_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("nominated_by", sa.String(length=64), nullable=False),
        sa.Column("nominated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("review_reason", sa.String(length=500), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.Column("elected", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "state IN ('nominated', 'eligible', 'ineligible', 'withdrawn')",
            name=op.f("ck_candidate_state"),
        ),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
            name=op.f("fk_candidate_constituency_id_constituency"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_candidate_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_candidate_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate")),
        sa.UniqueConstraint("election_id", "resident_id", name=op.f("uq_candidate_election_id")),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_election_id"), ["election_id"], unique=False)

    op.create_table(
        "content_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reporter_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["user_account.id"],
            name=op.f("fk_content_report_reporter_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_report")),
    )
    with op.batch_alter_table("content_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_content_report_target", ["target_type", "target_id"], unique=False
        )

    op.create_table(
        "deliberation_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=48), nullable=True),
        sa.Column("supervision", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_deliberation_comment_author_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliberation_comment")),
    )
    with op.batch_alter_table("deliberation_comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliberation_comment_target", ["target_type", "target_id"], unique=False
        )

    op.create_table(
        "discussion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_discussion_author_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_discussion_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion")),
    )
    with op.batch_alter_table("discussion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discussion_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("discussion_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "state IN ('submitted', 'accepted', 'merged', 'not_adopted')",
            name=op.f("ck_proposal_state"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_proposal_author_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["discussion_id"], ["discussion.id"], name=op.f("fk_proposal_discussion_id_discussion")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["proposal.id"], name=op.f("fk_proposal_merged_into_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_proposal_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_discussion_id"), ["discussion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_region_code"), ["region_code"], unique=False)

    op.create_table(
        "matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("one_person", sa.Boolean(), nullable=False),
        sa.Column("stage_id", sa.String(length=48), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'rejected', 'completed', 'withdrawn')", name=op.f("ck_matter_state")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_matter_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_matter_region_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["procedure_template.id"],
            name=op.f("fk_matter_template_id_procedure_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter")),
    )
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matter_region_code"), ["region_code"], unique=False)

    op.create_table(
        "implementation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('not_started', 'in_progress', 'done')", name=op.f("ck_implementation_state")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_implementation_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_implementation_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_implementation_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementation")),
        sa.UniqueConstraint("matter_id", name=op.f("uq_implementation_matter_id")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_implementation_proposal_id")),
    )
    with op.batch_alter_table("implementation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_implementation_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.String(length=48), nullable=True),
        sa.Column("body", sa.String(length=48), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proxies_allowed", sa.Boolean(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("households_total", sa.Integer(), nullable=False),
        sa.Column("households_represented", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("proxies", sa.Integer(), nullable=False),
        sa.Column("yes", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("abstain", sa.Integer(), nullable=False),
        sa.Column("quorum_met", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('convened', 'in_session', 'decided', 'no_quorum', 'cancelled')",
            name=op.f("ck_meeting_state"),
        ),
        sa.CheckConstraint(
            "voting IN ('show_of_hands', 'roll_call', 'secret_ballot')",
            name=op.f("ck_meeting_voting"),
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_meeting_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_meeting_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_region_code"), ["region_code"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("election_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("posting_days", sa.Integer(), nullable=False),
        sa.Column("objection_days", sa.Integer(), nullable=False),
        sa.Column("channels", sa.String(length=64), nullable=False),
        sa.Column("masked_findings", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=64), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("objections_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('resolution', 'result', 'village_affairs', 'party_affairs', 'finances', 'major_matters', 'election_result', 'other')",
            name=op.f("ck_notice_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'posted', 'closed', 'withdrawn')", name=op.f("ck_notice_state")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_notice_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_notice_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_notice_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index("ix_notice_region_code_kind", ["region_code", "kind"], unique=False)

    op.create_table(
        "implementation_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("implementation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["implementation_id"],
            ["implementation.id"],
            name=op.f("fk_implementation_update_implementation_id_implementation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementation_update")),
    )
    with op.batch_alter_table("implementation_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_implementation_update_implementation_id"),
            ["implementation_id"],
            unique=False,
        )

    op.create_table(
        "matter_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=48), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("next_stage_id", sa.String(length=48), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('adopted', 'rejected', 'returned')", name=op.f("ck_matter_step_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_matter_step_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_matter_step_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_matter_step_notice_id_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_step")),
    )
    with op.batch_alter_table("matter_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matter_step_matter_id"), ["matter_id"], unique=False)

    op.create_table(
        "meeting_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proxy_for_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_meeting_member_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_member_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["proxy_for_id"],
            ["meeting_member.id"],
            name=op.f("fk_meeting_member_proxy_for_id_meeting_member"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_meeting_member_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_member")),
        sa.UniqueConstraint("meeting_id", "resident_id", name=op.f("uq_meeting_member_meeting_id")),
    )
    with op.batch_alter_table("meeting_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_member_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("implementation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["implementation_id"],
            ["implementation.id"],
            name=op.f("fk_milestone_implementation_id_implementation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_implementation_id"), ["implementation_id"], unique=False
        )

    op.create_table(
        "notice_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_notice_objection_author_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_notice_objection_notice_id_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_objection")),
    )
    with op.batch_alter_table("notice_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_objection_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "meeting_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "choice IN ('yes', 'no', 'abstain')", name=op.f("ck_meeting_vote_choice")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_vote_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["meeting_member.id"],
            name=op.f("fk_meeting_vote_member_id_meeting_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_vote")),
        sa.UniqueConstraint("meeting_id", "member_id", name=op.f("uq_meeting_vote_meeting_id")),
    )
    with op.batch_alter_table("meeting_vote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_vote_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resident_id", sa.Integer(), nullable=True))
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

    with op.batch_alter_table("meeting_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_vote_meeting_id"))

    op.drop_table("meeting_vote")
    with op.batch_alter_table("notice_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_objection_notice_id"))

    op.drop_table("notice_objection")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_implementation_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("meeting_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_member_meeting_id"))

    op.drop_table("meeting_member")
    with op.batch_alter_table("matter_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_step_matter_id"))

    op.drop_table("matter_step")
    with op.batch_alter_table("implementation_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_implementation_update_implementation_id"))

    op.drop_table("implementation_update")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_region_code_kind")
        batch_op.drop_index(batch_op.f("ix_notice_matter_id"))

    op.drop_table("notice")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_region_code"))
        batch_op.drop_index(batch_op.f("ix_meeting_matter_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("implementation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_implementation_region_code"))

    op.drop_table("implementation")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_region_code"))

    op.drop_table("matter")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_region_code"))
        batch_op.drop_index(batch_op.f("ix_proposal_discussion_id"))

    op.drop_table("proposal")
    with op.batch_alter_table("discussion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discussion_region_code"))

    op.drop_table("discussion")
    with op.batch_alter_table("deliberation_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_deliberation_comment_target")

    op.drop_table("deliberation_comment")
    with op.batch_alter_table("content_report", schema=None) as batch_op:
        batch_op.drop_index("ix_content_report_target")

    op.drop_table("content_report")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_election_id"))

    op.drop_table("candidate")
    with op.batch_alter_table("body_member", schema=None) as batch_op:
        batch_op.drop_index("ix_body_member_region_code_body")

    op.drop_table("body_member")
    with op.batch_alter_table("constituency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_constituency_election_id"))

    op.drop_table("constituency")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_election_region_code"))

    op.drop_table("election")
    with op.batch_alter_table("secret_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_ballot_box"))

    op.drop_table("secret_ballot")
    op.drop_table("procedure_template")
    with op.batch_alter_table("deliberation_file", schema=None) as batch_op:
        batch_op.drop_index("ix_deliberation_file_owner")

    op.drop_table("deliberation_file")
    op.drop_table("ballot_receipt")
