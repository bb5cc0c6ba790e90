"""The discussion loop's service: posts in the author's language, the community's answer
to each proposal, supervision comments, reports, hiding and spam held for review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from gridgov.deliberation import discussion
from gridgov.deliberation.models import Comment, ContentReport, Implementation, Notice, Proposal
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.conftest import FIXED_NOW
from tests.deliberation.factories_discussion import (
    COMMUNITY,
    OTHER_COMMUNITY,
    make_community,
    make_matter,
    user,
)

NOW = FIXED_NOW
SPAM = "便宜 http://a.example.top http://b.example.top http://c.example.top"


def _actions(db: Database, object_type: str, object_id: int) -> list[str]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)
                )
                .order_by(AuditEvent.seq)
            )
        )


def _as(db: Database, ids: dict[str, int], name: str, action: Any, **values: Any) -> Any:
    """Call a ``do_*`` as ``name`` in its own transaction (``now`` defaults to NOW)."""
    values.setdefault("now", NOW)
    with db.transaction() as session:
        who, actor = user(session, ids, name)
        return action(session, user=who, actor=actor, **values)


def _propose(
    db: Database,
    ids: dict[str, int],
    name: str = "silva",
    *,
    title: str = "Mais bancos no parque",
    body: str = "Proponho colocar bancos à sombra perto do parque infantil.",
    language: str = "pt",
    region_code: str = COMMUNITY,
) -> int:
    with db.transaction() as session:
        author, actor = user(session, ids, name)
        return discussion.do_submit_proposal(
            session,
            user=author,
            actor=actor,
            region_code=region_code,
            title=title,
            body=body,
            language=language,
            now=NOW,
        ).id


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ko", "ko"),
        ("PT", "pt"),
        ("pt-br", "pt_BR"),
        ("zh-hant", "zh_Hant"),
        ("zh_Hant", "zh_Hant"),
        ("zh-Hant-MO", "zh_Hant_MO"),
        ("es-419", "es_419"),
        (" ja ", "ja"),
    ],
)
def test_language_tags_are_normalised(given: str, expected: str) -> None:
    # Given a BCP-47 tag in any case and separator, then it is spelled the app's way
    assert discussion.normalise_language(given) == expected


@pytest.mark.parametrize("given", ["", "k", "korean", "ko-", "ko_Hangul_KR_x", "ko;DROP", "한국어"])
def test_malformed_language_tags_are_refused(given: str) -> None:
    assert discussion.normalise_language(given) is None
    assert discussion.language_problem(given) is not None


def test_spam_signals_reuse_the_intake_heuristics_and_add_floods() -> None:
    # Given three links, a quiet account; and a plain text from an account that just
    # wrote the flood limit's number of posts
    links = discussion.spam_signals(SPAM, recent_posts=0)
    flood = discussion.spam_signals(
        "이 공원에 벤치가 필요합니다", recent_posts=discussion.FLOOD_LIMIT
    )
    calm = discussion.spam_signals(
        "이 공원에 벤치가 필요합니다", recent_posts=discussion.FLOOD_LIMIT - 1
    )
    # then the links and the flood are signals, the calm post is none
    assert "link" in links
    assert flood == ["flood"]
    assert calm == []


# ---------------------------------------------------------------- posting


def test_a_resident_opens_a_discussion_in_korean_and_a_proposal_in_portuguese(
    db: Database,
) -> None:
    # Given two residents of 青篮社区
    ids = make_community(db)
    # When kim opens a discussion in Korean and silva proposes in Portuguese in it
    with db.transaction() as session:
        kim, actor = user(session, ids, "kim")
        opened = discussion.do_open_discussion(
            session,
            user=kim,
            actor=actor,
            region_code=COMMUNITY,
            title="놀이터 주변 주차 문제",
            body="저녁마다 놀이터 앞에 차가 많이 서 있어서 아이들이 위험합니다.",
            language="ko",
            now=NOW,
        )
        discussion_id = opened.id
    with db.transaction() as session:
        silva, actor = user(session, ids, "silva")
        proposal = discussion.do_submit_proposal(
            session,
            user=silva,
            actor=actor,
            discussion_id=discussion_id,
            title="Faixa de estacionamento proibido",
            body="Pintar uma faixa amarela em frente ao parque infantil.",
            language="pt-BR",
            now=NOW,
        )
        proposal_id = proposal.id
    # then both are stored in their language, in the community, shown publicly
    with db.transaction() as session:
        summaries = discussion.list_discussions(session, COMMUNITY, viewer=None)
        stored = discussion.get_proposal(session, proposal_id, viewer=None)
        assert [(s.discussion.language, s.proposals, s.answered) for s in summaries] == [
            ("ko", 1, 0)
        ]
        assert (stored.language, stored.region_code, stored.discussion_id, stored.held) == (
            "pt_BR",
            COMMUNITY,
            discussion_id,
            False,
        )
        assert stored.author_user_id == ids["silva"]
    # and both are audited
    assert _actions(db, "discussion", discussion_id) == ["deliberation.discussion_opened"]
    assert _actions(db, "proposal", proposal_id) == ["deliberation.proposal_submitted"]


def test_a_resident_writes_only_in_their_own_community(db: Database) -> None:
    # Given chen, who lives in 东湖社区
    ids = make_community(db)
    # When chen tries to open a discussion in 青篮社区, then it is refused
    with pytest.raises(Forbidden):
        _as(
            db,
            ids,
            "chen",
            discussion.do_open_discussion,
            region_code=COMMUNITY,
            title="Question",
            body="Can I ask here?",
            language="en",
        )
    # and a street or a grid is not a community to discuss in
    with pytest.raises(NotFound):
        _as(
            db,
            ids,
            "kim",
            discussion.do_open_discussion,
            region_code="44051200100101",
            title="제목",
            body="내용",
            language="ko",
        )


def test_a_malformed_language_is_refused(db: Database) -> None:
    ids = make_community(db)
    with pytest.raises(InvalidInput) as refused:
        _as(
            db,
            ids,
            "kim",
            discussion.do_open_discussion,
            region_code=COMMUNITY,
            title="제목",
            body="내용",
            language="Korean!",
        )
    assert [p.field for p in refused.value.details] == ["language"]


def test_personal_data_in_a_post_is_masked(db: Database) -> None:
    # Given a post with a mainland mobile number
    ids = make_community(db)
    proposal_id = _propose(db, ids, body="Liguem para 13812345678 para ajudar.")
    # then the stored text carries the mask, not the number
    with db.transaction() as session:
        stored = session.get(Proposal, proposal_id)
        assert stored is not None
        assert "13812345678" not in stored.body
        assert "5678" in stored.body


# ---------------------------------------------------------------- answers


def test_an_answer_without_a_reason_is_refused(db: Database) -> None:
    ids = make_community(db)
    proposal_id = _propose(db, ids)
    with pytest.raises(InvalidInput) as refused:
        _as(
            db,
            ids,
            "secretary",
            discussion.do_answer_proposal,
            proposal_id=proposal_id,
            decision="accepted",
            reason="   ",
        )
    assert [p.field for p in refused.value.details] == ["reason"]
    with db.transaction() as session:
        stored = session.get(Proposal, proposal_id)
        assert stored is not None
        assert stored.state == "submitted"
        assert session.scalar(select(func.count()).select_from(Implementation)) == 0


def test_accepting_creates_exactly_one_governance_action_and_twice_is_refused(
    db: Database,
) -> None:
    # Given a proposal
    ids = make_community(db)
    proposal_id = _propose(db, ids)
    # When the secretary accepts it
    with db.transaction() as session:
        secretary, actor = user(session, ids, "secretary")
        answered = discussion.do_answer_proposal(
            session,
            user=secretary,
            actor=actor,
            proposal_id=proposal_id,
            decision="accepted",
            reason="O comité aprovou: bancos instalados até março.",
            now=NOW,
        )
        assert answered.implementation is not None
        implementation_id = answered.implementation.id
    # and tries to answer again (not adopted this time), then it is refused
    with pytest.raises(Conflict):
        _as(
            db,
            ids,
            "secretary",
            discussion.do_answer_proposal,
            proposal_id=proposal_id,
            decision="not_adopted",
            reason="Mudámos de ideia.",
            now=NOW + timedelta(minutes=5),
        )
    # then there is exactly one implementation, of this proposal, and the answer stands
    with db.transaction() as session:
        rows = list(session.scalars(select(Implementation)))
        assert [(r.id, r.proposal_id, r.region_code) for r in rows] == [
            (implementation_id, proposal_id, COMMUNITY)
        ]
        stored = session.get(Proposal, proposal_id)
        assert stored is not None
        assert (stored.state, stored.answer, stored.answered_by) == (
            "accepted",
            "O comité aprovou: bancos instalados até março.",
            "secretary",
        )
        implementation, milestones = discussion.implementation_of(session, stored)
        assert implementation is not None
        assert implementation.id == implementation_id
        assert milestones == []
    # and the answer and the governance action are audited
    assert _actions(db, "proposal", proposal_id) == [
        "deliberation.proposal_submitted",
        "deliberation.proposal_answered",
    ]
    assert _actions(db, "implementation", implementation_id) == [
        "deliberation.implementation_started"
    ]


def test_merging_goes_only_into_a_proposal_of_the_same_community(db: Database) -> None:
    # Given two proposals in 青篮社区 and one in 东湖社区
    ids = make_community(db)
    first = _propose(db, ids, "silva")
    second = _propose(
        db, ids, "kim", title="공원 벤치", body="벤치를 더 놓아 주세요.", language="ko"
    )
    east = _propose(
        db,
        ids,
        "chen",
        title="公园长椅",
        body="东湖公园也要长椅。",
        language="zh_Hans",
        region_code=OTHER_COMMUNITY,
    )
    # When the secretary merges the second into the 东湖社区 one, then it is refused
    with pytest.raises(InvalidInput):
        _as(
            db,
            ids,
            "secretary",
            discussion.do_answer_proposal,
            proposal_id=second,
            decision="merged",
            reason="Mesma ideia.",
            merged_into_id=east,
        )
    # and into itself, then it is refused
    with pytest.raises(InvalidInput):
        _as(
            db,
            ids,
            "secretary",
            discussion.do_answer_proposal,
            proposal_id=second,
            decision="merged",
            reason="Mesma ideia.",
            merged_into_id=second,
        )
    # When merged into the first, then the merge names where it went
    with db.transaction() as session:
        secretary, actor = user(session, ids, "secretary")
        answered = discussion.do_answer_proposal(
            session,
            user=secretary,
            actor=actor,
            proposal_id=second,
            decision="merged",
            reason=f"같은 제안입니다: 공원 벤치는 #{first} 에서 다룹니다.",
            merged_into_id=first,
            now=NOW,
        )
        assert answered.implementation is None
    with db.transaction() as session:
        merged = session.get(Proposal, second)
        target = session.get(Proposal, first)
        assert merged is not None
        assert target is not None
        assert (merged.state, merged.merged_into_id) == ("merged", first)
        assert [p.id for p in discussion.merged_here(session, target)] == [second]
        assert session.scalar(select(func.count()).select_from(Implementation)) == 0


def test_a_resident_cannot_answer(db: Database) -> None:
    ids = make_community(db)
    proposal_id = _propose(db, ids, "silva")
    with pytest.raises(Forbidden):
        _as(
            db,
            ids,
            "kim",
            discussion.do_answer_proposal,
            proposal_id=proposal_id,
            decision="accepted",
            reason="좋아요",
        )
    # and neither can the secretary of another community
    with pytest.raises(Forbidden):
        _as(
            db,
            ids,
            "east_secretary",
            discussion.do_answer_proposal,
            proposal_id=proposal_id,
            decision="not_adopted",
            reason="不属于本社区",
        )


# ---------------------------------------------------------------- spam and moderation


def test_a_held_spam_proposal_is_not_listed_until_released(db: Database) -> None:
    # Given a resident's proposal with three links
    ids = make_community(db)
    proposal_id = _propose(db, ids, "kim", title="Cheap deals", body=SPAM, language="en")
    with db.transaction() as session:
        stored = session.get(Proposal, proposal_id)
        assert stored is not None
        assert stored.held
        # then nobody else sees it: not listed, not found, not awaiting an answer
        assert discussion.list_proposals(session, COMMUNITY, viewer=None) == []
        with pytest.raises(NotFound):
            discussion.get_proposal(session, proposal_id, viewer=None)
        secretary, _ = user(session, ids, "secretary")
        assert discussion.proposals_awaiting(session, user=secretary) == []
        # but its author sees it, and the moderators find it in their queue
        kim, _ = user(session, ids, "kim")
        assert discussion.get_proposal(session, proposal_id, viewer=kim).id == proposal_id
        gridder, _ = user(session, ids, "gridder")
        queue = discussion.moderation_queue(session, user=gridder)
        assert [(q.kind.value, q.item.id) for q in queue] == [("proposal", proposal_id)]
    # When a moderator releases it
    with db.transaction() as session:
        gridder, actor = user(session, ids, "gridder")
        discussion.do_release(
            session,
            user=gridder,
            actor=actor,
            target_type="proposal",
            target_id=proposal_id,
            now=NOW,
        )
    # then it is listed publicly
    with db.transaction() as session:
        assert [p.id for p in discussion.list_proposals(session, COMMUNITY, viewer=None)] == [
            proposal_id
        ]
    assert _actions(db, "proposal", proposal_id) == [
        "deliberation.proposal_submitted",
        "deliberation.content_released",
    ]


def test_a_flood_from_one_account_is_held(db: Database) -> None:
    # Given kim has written the flood limit's number of posts within the window
    ids = make_community(db)
    for number in range(discussion.FLOOD_LIMIT):
        _propose(db, ids, "kim", title=f"제안 {number}", body=f"내용 {number}번", language="ko")
    # When kim posts once more, then that post is held; silva's post is not
    held = _propose(db, ids, "kim", title="하나 더", body="또 하나 더", language="ko")
    other = _propose(db, ids, "silva")
    with db.transaction() as session:
        assert [session.get(Proposal, i).held for i in (held, other)] == [True, False]  # type: ignore[union-attr]


def test_a_hidden_comment_keeps_its_reason_and_closes_its_reports(db: Database) -> None:
    # Given a comment on a proposal, reported by silva
    ids = make_community(db)
    proposal_id = _propose(db, ids, "silva")
    with db.transaction() as session:
        kim, actor = user(session, ids, "kim")
        comment_id = discussion.do_comment(
            session,
            user=kim,
            actor=actor,
            target_type="proposal",
            target_id=proposal_id,
            text="바보 같은 제안",
            language="ko",
            now=NOW,
        ).id
    with db.transaction() as session:
        silva, actor = user(session, ids, "silva")
        report = discussion.do_report(
            session,
            user=silva,
            actor=actor,
            target_type="comment",
            target_id=comment_id,
            reason="Insulto",
            now=NOW,
        )
        report_id = report.id
        # reporting again while it is open returns the same report
        again = discussion.do_report(
            session,
            user=silva,
            actor=actor,
            target_type="comment",
            target_id=comment_id,
            reason="Insulto",
            now=NOW,
        )
        assert again.id == report_id
    # When a resident tries to hide it, then it is refused
    with pytest.raises(Forbidden):
        _as(
            db,
            ids,
            "silva",
            discussion.do_hide,
            target_type="comment",
            target_id=comment_id,
            reason="insulto",
        )
    # When a moderator hides it without a reason, then it is refused; with one, hidden
    with pytest.raises(InvalidInput):
        _as(
            db,
            ids,
            "gridder",
            discussion.do_hide,
            target_type="comment",
            target_id=comment_id,
            reason=" ",
        )
    with db.transaction() as session:
        gridder, actor = user(session, ids, "gridder")
        discussion.do_hide(
            session,
            user=gridder,
            actor=actor,
            target_type="comment",
            target_id=comment_id,
            reason="人身攻击",
            now=NOW,
        )
    with db.transaction() as session:
        comment = session.get(Comment, comment_id)
        stored_report = session.get(ContentReport, report_id)
        assert comment is not None
        assert stored_report is not None
        assert comment.hidden_reason == "人身攻击"
        assert (stored_report.resolved_at, stored_report.resolved_by) == (NOW, "gridder")
        gridder, _ = user(session, ids, "gridder")
        assert discussion.moderation_queue(session, user=gridder) == []
    assert _actions(db, "comment", comment_id) == [
        "deliberation.commented",
        "deliberation.content_reported",
        "deliberation.content_hidden",
    ]


def test_a_report_can_be_dismissed_once(db: Database) -> None:
    ids = make_community(db)
    proposal_id = _propose(db, ids, "silva")
    with db.transaction() as session:
        kim, actor = user(session, ids, "kim")
        report_id = discussion.do_report(
            session,
            user=kim,
            actor=actor,
            target_type="proposal",
            target_id=proposal_id,
            reason="광고 같아요",
            now=NOW,
        ).id
    with db.transaction() as session:
        gridder, actor = user(session, ids, "gridder")
        discussion.do_dismiss_report(
            session, user=gridder, actor=actor, report_id=report_id, now=NOW
        )
    with pytest.raises(Conflict):
        _as(db, ids, "gridder", discussion.do_dismiss_report, report_id=report_id, now=NOW)
    with db.transaction() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        assert proposal.hidden_reason is None
    assert _actions(db, "proposal", proposal_id)[-1] == "deliberation.report_dismissed"


# ---------------------------------------------------------------- supervision


def test_a_supervision_comment_on_a_stage_that_does_not_exist_is_refused(db: Database) -> None:
    # Given a matter under the community-council procedure
    ids = make_community(db)
    with db.transaction() as session:
        matter_id = make_matter(session).id
    # When kim comments as supervision on a stage the procedure does not have
    with pytest.raises(NotFound):
        _as(
            db,
            ids,
            "kim",
            discussion.do_comment,
            target_type="matter",
            target_id=matter_id,
            stage_id="no_such_stage",
            supervision=True,
            text="이 단계는 언제 열리나요?",
            language="ko",
        )
    # and without a stage, then it is refused too
    with pytest.raises(InvalidInput):
        _as(
            db,
            ids,
            "kim",
            discussion.do_comment,
            target_type="matter",
            target_id=matter_id,
            supervision=True,
            text="단계 없음",
            language="ko",
        )
    # When on a stage it has (a later one, not the current), then it is kept
    with db.transaction() as session:
        kim, actor = user(session, ids, "kim")
        kept = discussion.do_comment(
            session,
            user=kim,
            actor=actor,
            target_type="matter",
            target_id=matter_id,
            stage_id="decision",
            supervision=True,
            text="결정 회의 명단을 공개해 주세요.",
            language="ko",
            now=NOW,
        )
        comment_id = kept.id
        assert (kept.supervision, kept.stage_id, kept.target_type) == (True, "decision", "matter")
    assert _actions(db, "comment", comment_id) == ["deliberation.supervision_commented"]


def test_supervision_targets_must_exist_and_be_in_the_region(db: Database) -> None:
    ids = make_community(db)
    with db.transaction() as session:
        matter_id = make_matter(session, region_code=OTHER_COMMUNITY).id
        notice = Notice(
            region_code=COMMUNITY,
            kind="other",
            title="公示",
            body="内容",
            state="posted",
            posting_days=7,
            objection_days=7,
            created_by="secretary",
            created_at=NOW,
        )
        session.add(notice)
        session.flush()
        notice_id = notice.id
    # Given no notice #999, then a supervision comment on it is refused
    with pytest.raises(NotFound):
        _as(
            db,
            ids,
            "kim",
            discussion.do_comment,
            target_type="notice",
            target_id=notice_id + 999,
            supervision=True,
            text="?",
            language="ko",
        )
    # and a matter of another community is not kim's to supervise
    with pytest.raises(Forbidden):
        _as(
            db,
            ids,
            "kim",
            discussion.do_comment,
            target_type="matter",
            target_id=matter_id,
            stage_id="proposal",
            supervision=True,
            text="?",
            language="ko",
        )
    # and a plain (non-supervision) comment on a notice is refused
    with pytest.raises(InvalidInput):
        _as(
            db,
            ids,
            "kim",
            discussion.do_comment,
            target_type="notice",
            target_id=notice_id,
            text="질문",
            language="ko",
        )
    # while the district's auditor may supervise the notice
    with db.transaction() as session:
        auditor, actor = user(session, ids, "auditor")
        kept = discussion.do_comment(
            session,
            user=auditor,
            actor=actor,
            target_type="notice",
            target_id=notice_id,
            supervision=True,
            text="公示期是否满七天？",
            language="zh_Hans",
            now=NOW,
        )
        assert (kept.author_role, kept.supervision) == ("auditor", True)


def test_a_bank_card_number_in_a_comment_is_masked(db: Database) -> None:
    # Given a proposal, and a comment carrying a bank-card number in groups of four
    ids = make_community(db)
    proposal_id = _propose(db, ids, "silva")
    with db.transaction() as session:
        kim, actor = user(session, ids, "kim")
        comment_id = discussion.do_comment(
            session,
            user=kim,
            actor=actor,
            target_type="proposal",
            target_id=proposal_id,
            text="捐款请转 6222 0212 3456 7894，谢谢",
            language="zh_Hans",
            now=NOW,
        ).id
    # Then the stored comment keeps the first and last four digits only
    with db.session() as session:
        stored = session.get(Comment, comment_id)
        assert stored is not None
        assert "6222********7894" in stored.text
        assert "0212" not in stored.text
        assert "3456" not in stored.text
