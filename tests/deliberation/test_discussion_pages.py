"""The discussion loop's pages and API: public reading, writing when signed in, the
community's answer, supervision, reports, hiding and releasing held spam."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.db import Database
from gridgov.deliberation.models import Comment, Implementation, Proposal
from tests.deliberation.factories_discussion import COMMUNITY, make_community, make_matter
from tests.factories import bearer, csrf_of, page_login

LIST = f"/portal/{COMMUNITY}/discussions"
SPAM = "Best prices http://a.example.top http://b.example.top http://c.example.top"


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> str:
    """Submit a form found on ``page``; returns where it redirected."""
    token = csrf_of(client, page)
    response = client.post(action, data={**data, "csrf_token": token})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _sign_out(client: TestClient) -> None:
    client.cookies.clear()


def _kims_discussion(client: TestClient, db: Database, title: str, body: str) -> tuple[str, int]:
    """The community, and kim signed in opening a discussion in Chinese; its page and id."""
    make_community(db)
    page_login(client, "kim")
    where = _post(
        client, LIST, f"{LIST}/new", {"title": title, "body": body, "language": "zh_Hans"}
    )
    return where, int(where.rsplit("/", 1)[1])


def test_residents_write_in_their_language_and_anyone_reads(
    client: TestClient, db: Database
) -> None:
    # Given kim, a resident of 青篮社区, signed in
    make_community(db)
    page_login(client, "kim")
    # When kim opens a discussion in Korean (not one of the app's languages)
    where = _post(
        client,
        LIST,
        f"{LIST}/new",
        {
            "kind": "discussion",
            "title": "놀이터 앞 주차",
            "body": "저녁마다 차가 많아 아이들이 위험합니다.",
            "language": "zh_Hans",
            "language_other": "ko",
        },
    )
    discussion_id = int(where.rsplit("/", 1)[1])
    # and silva proposes in Portuguese in that discussion
    _sign_out(client)
    page_login(client, "silva")
    proposal_where = _post(
        client,
        where,
        f"/discussions/{discussion_id}/proposals",
        {
            "title": "Faixa amarela",
            "body": "Pintar uma faixa amarela em frente ao parque.",
            "language_other": "pt",
        },
    )
    # then, signed out, anyone reads the list, the discussion and the proposal
    _sign_out(client)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "놀이터 앞 주차" in listing.text
    assert "한국어" in listing.text  # the language tag, in its own words
    page = client.get(where)
    assert page.status_code == 200
    assert "Faixa amarela" in page.text
    assert "português" in page.text
    proposal = client.get(proposal_where)
    assert proposal.status_code == 200
    assert "Pintar uma faixa amarela" in proposal.text
    # with the residents' names masked for the public (k**, s***)
    assert "s***" in proposal.text
    assert "silva" not in proposal.text
    assert "k**" in page.text
    # and a signed-out reader is offered the login, not a form
    assert f"/login?next={LIST}" in listing.text
    assert f'action="{LIST}/new"' not in listing.text


def test_writing_needs_login(client: TestClient, db: Database) -> None:
    make_community(db)
    token = csrf_of(client)
    response = client.post(
        f"{LIST}/new",
        data={"title": "t", "body": "b", "language": "en", "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_community_answers_with_a_reason_and_accepting_starts_a_governance_action(
    client: TestClient, db: Database
) -> None:
    # Given silva's standalone proposal
    make_community(db)
    page_login(client, "silva")
    where = _post(
        client,
        LIST,
        f"{LIST}/new",
        {"kind": "proposal", "title": "Bancos", "body": "Mais bancos.", "language": "en"},
    )
    proposal_id = int(where.rsplit("/", 1)[1])
    # When silva (a resident) opens the staff list, then it is refused
    assert client.get("/deliberation/proposals").status_code == 403
    # When the secretary answers without a reason
    _sign_out(client)
    page_login(client, "secretary")
    queue = client.get("/deliberation/proposals")
    assert queue.status_code == 200
    assert f"/proposals/{proposal_id}" in queue.text
    token = csrf_of(client, "/deliberation/proposals")
    refused = client.post(
        f"/deliberation/proposals/{proposal_id}/answer",
        data={"decision": "accepted", "reason": "", "csrf_token": token},
    )
    # then it is refused on the proposal's page, and nothing is started
    assert refused.status_code == 422
    assert 'name="reason"' in refused.text
    # When answered with a reason
    answered = client.post(
        f"/deliberation/proposals/{proposal_id}/answer",
        data={
            "decision": "accepted",
            "reason": "Aprovado pelo comité; instalação em março.",
            "next": "/deliberation/proposals",
            "csrf_token": token,
        },
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == "/deliberation/proposals"
    # then the proposal no longer awaits, and anyone sees the answer and the action
    assert f"/proposals/{proposal_id}" not in client.get("/deliberation/proposals").text
    _sign_out(client)
    public = client.get(where)
    assert "Aprovado pelo comité; instalação em março." in public.text
    assert 'id="governance"' in public.text
    with db.transaction() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Implementation)
            .where(Implementation.proposal_id == proposal_id)
        )
        assert count == 1


def test_held_spam_is_not_shown_until_a_moderator_releases_it(
    client: TestClient, db: Database
) -> None:
    # Given kim's proposal with three links, held for review
    make_community(db)
    page_login(client, "kim")
    where = _post(
        client,
        LIST,
        f"{LIST}/new",
        {"kind": "proposal", "title": "Deals", "body": SPAM, "language": "en"},
    )
    proposal_id = int(where.rsplit("/", 1)[1])
    assert "Deals" in client.get(where).text  # its author sees it
    # then, signed out, it is neither listed nor shown
    _sign_out(client)
    assert "Deals" not in client.get(LIST).text
    assert client.get(where).status_code == 404
    # When the grid worker (a moderator) releases it from the moderation page
    page_login(client, "gridder")
    moderation = client.get("/deliberation/moderation")
    assert moderation.status_code == 200
    assert "Deals" in moderation.text
    _post(
        client,
        "/deliberation/moderation",
        "/deliberation/moderation/release",
        {"target_type": "proposal", "target_id": str(proposal_id)},
    )
    # then it is listed publicly
    _sign_out(client)
    assert "Deals" in client.get(LIST).text


def test_a_hidden_comment_shows_the_reason_never_the_text(client: TestClient, db: Database) -> None:
    # Given kim's discussion with silva's comment, reported by kim
    where, discussion_id = _kims_discussion(client, db, "公园长椅", "需要更多长椅。")
    _sign_out(client)
    page_login(client, "silva")
    _post(
        client,
        where,
        f"/discussions/{discussion_id}/comments",
        {"text": "Que ideia estúpida, vizinho idiota", "language_other": "pt"},
    )
    with db.transaction() as session:
        comment_id = session.scalars(select(Comment.id)).one()
    _sign_out(client)
    page_login(client, "kim")
    _post(
        client,
        where,
        "/content-reports",
        {"target_type": "comment", "target_id": str(comment_id), "reason": "Insult", "next": where},
    )
    # When the moderator hides it with a reason
    _sign_out(client)
    page_login(client, "gridder")
    assert "vizinho idiota" in client.get("/deliberation/moderation").text
    _post(
        client,
        "/deliberation/moderation",
        "/deliberation/moderation/hide",
        {
            "target_type": "comment",
            "target_id": str(comment_id),
            "reason": "Personal insult",
            "next": where,
        },
    )
    # then the public page shows the reason and never the text
    _sign_out(client)
    page = client.get(where + "?lang=en")
    assert "Hidden by the moderators: Personal insult" in page.text
    assert "vizinho idiota" not in page.text


def test_supervision_on_a_missing_stage_is_refused_from_the_page_form(
    client: TestClient, db: Database
) -> None:
    # Given a matter of 青篮社区
    make_community(db)
    with db.transaction() as session:
        matter_id = make_matter(session).id
    page_login(client, "kim")
    token = csrf_of(client, LIST)
    # When kim sends a supervision comment on a stage that does not exist
    refused = client.post(
        "/supervision",
        data={
            "target_type": "matter",
            "target_id": str(matter_id),
            "stage_id": "no_such_stage",
            "text": "언제 열리나요?",
            "language_other": "ko",
            "next": "/",
            "csrf_token": token,
        },
    )
    # then it is refused; on a real stage it is kept and kim goes back where asked
    assert refused.status_code == 404
    kept = client.post(
        "/supervision",
        data={
            "target_type": "matter",
            "target_id": str(matter_id),
            "stage_id": "decision",
            "text": "회의 명단을 공개해 주세요.",
            "language_other": "ko",
            "next": "https://evil.example/",
            "csrf_token": token,
        },
    )
    assert kept.status_code == 303
    assert kept.headers["location"] == "/"  # never another site
    with db.transaction() as session:
        stored = session.scalars(select(Comment)).one()
        assert (stored.supervision, stored.stage_id, stored.language) == (True, "decision", "ko")


def test_the_api_runs_the_loop(client: TestClient, db: Database) -> None:
    # Given kim and the secretary with bearer tokens
    make_community(db)
    kim = bearer(client, "kim")
    secretary = bearer(client, "secretary")
    base = f"/api/v1/deliberation/communities/{COMMUNITY}"
    # When kim opens a discussion in Korean and proposes in it
    opened = client.post(
        f"{base}/discussions",
        json={"title": "주차", "body": "주차 문제가 심각합니다.", "language": "ko"},
        headers=kim,
    )
    assert opened.status_code == 201, opened.text
    discussion_id = opened.json()["id"]
    proposed = client.post(
        f"{base}/proposals",
        json={
            "title": "주차 금지선",
            "body": "노란 선을 그려 주세요.",
            "language": "ko",
            "discussion_id": discussion_id,
        },
        headers=kim,
    )
    assert proposed.status_code == 201, proposed.text
    proposal_id = proposed.json()["id"]
    # then the list counts the proposal, unanswered
    listed = client.get(f"{base}/discussions", headers=kim).json()
    assert [(d["language"], d["proposals"], d["answered"]) for d in listed] == [("ko", 1, 0)]
    # and residents read residents' names masked, staff in full
    assert listed[0]["author_name"] == "k**"
    staff_view = client.get(f"{base}/discussions", headers=secretary).json()
    assert staff_view[0]["author_name"] == "kim"
    # When kim tries to answer, then it is refused
    answer = {"decision": "not_adopted", "reason": "이미 계획됨"}
    refused = client.post(
        f"/api/v1/deliberation/proposals/{proposal_id}/answer", json=answer, headers=kim
    )
    assert refused.status_code == 403
    # When the secretary answers, then a second answer is refused
    first = client.post(
        f"/api/v1/deliberation/proposals/{proposal_id}/answer", json=answer, headers=secretary
    )
    assert first.status_code == 200, first.text
    assert first.json()["proposal"]["state"] == "not_adopted"
    assert first.json()["implementation_id"] is None
    again = client.post(
        f"/api/v1/deliberation/proposals/{proposal_id}/answer",
        json={"decision": "accepted", "reason": "다시"},
        headers=secretary,
    )
    assert again.status_code == 409
    detail = client.get(f"/api/v1/deliberation/proposals/{proposal_id}", headers=kim).json()
    assert (detail["state"], detail["answer"]) == ("not_adopted", "이미 계획됨")
    # When kim comments and the secretary hides the comment
    comment = client.post(
        "/api/v1/deliberation/comments",
        json={
            "target_type": "proposal",
            "target_id": proposal_id,
            "text": "아쉽네요",
            "language": "ko",
        },
        headers=kim,
    )
    assert comment.status_code == 201, comment.text
    hidden = client.post(
        "/api/v1/deliberation/moderation/hide",
        json={"target_type": "comment", "target_id": comment.json()["id"], "reason": "Off topic"},
        headers=secretary,
    )
    assert hidden.status_code == 200, hidden.text
    # then the proposal's comments carry the reason without the text
    detail = client.get(f"/api/v1/deliberation/proposals/{proposal_id}", headers=kim).json()
    assert [(c["text"], c["hidden_reason"]) for c in detail["comment_list"]] == [
        (None, "Off topic")
    ]
    with db.transaction() as session:
        stored = session.get(Proposal, proposal_id)
        assert stored is not None
        assert stored.answered_by == "secretary"


def test_comments_on_discussions_and_proposals_are_rate_limited(
    client: TestClient, db: Database
) -> None:
    # Given kim's discussion and silva's proposal in it
    where, discussion_id = _kims_discussion(client, db, "夜间噪音", "广场舞太晚。")
    _sign_out(client)
    page_login(client, "silva")
    proposal_where = _post(
        client,
        where,
        f"/discussions/{discussion_id}/proposals",
        {"title": "九点结束", "body": "晚上九点后停止音乐。", "language": "zh_Hans"},
    )
    proposal_id = int(proposal_where.rsplit("/", 1)[1])
    # When silva comments five times on each within the same minute (ten in all)
    for n in range(5):
        _post(
            client,
            where,
            f"/discussions/{discussion_id}/comments",
            {"text": f"意见{n}", "language": "zh_Hans"},
        )
        _post(
            client,
            proposal_where,
            f"/proposals/{proposal_id}/comments",
            {"text": f"补充{n}", "language": "zh_Hans"},
        )
    # Then the eleventh, on the proposal, is refused with the form kept
    token = csrf_of(client, proposal_where)
    refused = client.post(
        f"/proposals/{proposal_id}/comments",
        data={"text": "第十一条", "language": "zh_Hans", "csrf_token": token},
        headers={"Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 429
    assert "第十一条" in refused.text
    # and so is one on the discussion; nothing of either was written
    token = csrf_of(client, where)
    again = client.post(
        f"/discussions/{discussion_id}/comments",
        data={"text": "第十二条", "language": "zh_Hans", "csrf_token": token},
    )
    assert again.status_code == 429
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 10
