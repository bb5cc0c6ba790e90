"""The international community (the most foreign residents): discussions and proposals
in Korean, English, Japanese, Portuguese, Spanish, Traditional and Simplified Chinese
(``international_posts``), each proposal answered — accepted → a governance action with
milestones and updates; merged; not adopted —, comments, a supervision comment, a spam
proposal held for review and a reported comment hidden with its reason.

Its script is a queue of dated steps drawn from those tables and played oldest first,
so that every service sees the world as it stood at that moment (the flood rule, for
one, counts an author's posts of the last ten minutes). The parts: the community's
branch secretary (``staff``), and residents writing in their own language."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.deliberation import discussion
from gridgov.deliberation import service as deliberation
from gridgov.demo.deliberation import common
from gridgov.demo.deliberation.common import DAYS, Clock, Counts, Person
from gridgov.demo.deliberation.international_posts import (
    AD_COMMENT,
    COMMENTS,
    DISCUSSIONS,
    PROPOSALS,
    SPAM_PROPOSAL,
    Post,
    ProposalSpec,
)
from gridgov.registry.models import Resident

R = TypeVar("R")


def international(
    session: Session,
    *,
    rng: random.Random,
    clock: Clock,
    counts: Counts,
    avoid: set[str],
) -> str | None:
    """The community with the most foreign residents runs the discussion loop."""
    foreign_by_community = common.count_by_community(
        session, Resident.nationality.not_in(("CHN", "MAC", "HKG", "TWN"))
    )
    communities = {r.code: r for r in common.communities(session)}
    ranked = sorted(
        ((n, code) for code, n in foreign_by_community.items() if code in communities),
        key=lambda item: (-item[0], item[1] in avoid, item[1]),
    )
    if ranked:
        code = ranked[0][1]
    else:
        rest = [c for c in communities if c not in avoid] or list(communities)
        if not rest:
            return None
        code = rest[0]
    name = communities[code].name
    start = clock.day(DAYS - 10, 9)
    people = common.people(session, code)
    adults = [p for p in people if common.age(p, clock.today) >= 18]
    foreign = [p for p in adults if p.nationality not in ("CHN", "MAC", "HKG", "TWN")]
    macau = [p for p in adults if p.doc_type == "hk_macau_permit"]
    locals_ = [p for p in adults if p.doc_type == "mainland_id"]
    secretary_user = common.account(
        session,
        username=f"demo-secretary-{code}",
        role="branch_secretary",
        scope=code,
        display_name=f"{name}党委书记",
        now=start,
        counts=counts,
    )
    used: set[int] = set()
    chosen_for: dict[str, Person] = {}
    text_languages = {p.language for p in DISCUSSIONS} | {p.language for p in PROPOSALS}

    def language_of(person: Person) -> str:
        return (person.language or "").replace("-", "_").split("_")[0]

    def author(language: str, *, fresh: bool = False) -> Person:
        """Who writes in ``language``: the same person each time for a foreign language
        or Traditional Chinese (someone who speaks it, where the community has one);
        a different neighbour each time for Simplified Chinese or when ``fresh``."""
        if language in chosen_for and language != "zh_Hans" and not fresh:
            return chosen_for[language]
        pools: list[list[Person]]
        if language == "zh_Hans":
            pools = [locals_, adults]
        elif language == "zh_Hant":
            pools = [macau, locals_, adults]
        else:
            same = [p for p in foreign if language_of(p) == language]
            others = [p for p in foreign if language_of(p) not in text_languages]
            pools = [same, others, foreign, macau, locals_, adults]
        pools = [pool for pool in pools if pool]
        chosen = next(
            (p for pool in pools for p in pool if p.id not in used),
            pools[0][0],
        )
        used.add(chosen.id)
        if not fresh:
            chosen_for.setdefault(language, chosen)
        return chosen

    users: dict[int, User] = {}

    def user_of(person: Person) -> User:
        if person.id not in users:
            users[person.id] = common.account(
                session,
                username=f"demo-resident-{person.id}",
                role="resident",
                scope=person.grid_code,
                display_name=person.name,
                now=start,
                counts=counts,
                resident_id=person.id,
            )
        return users[person.id]

    if not adults:
        return None
    loop = Loop(
        session=session,
        rng=rng,
        clock=clock,
        counts=counts,
        code=code,
        staff=secretary_user,
        writer=lambda language, fresh: user_of(author(language, fresh=fresh)),
    )
    loop.plan()
    loop.run()
    return code


Task = Callable[[datetime], None]


@dataclass
class Loop:
    """The discussion loop of one community as a queue of dated events, run oldest
    first so that every service sees the world as it stood at that moment (the flood
    rule, for one, counts an author's posts of the last ten minutes)."""

    session: Session
    rng: random.Random
    clock: Clock
    counts: Counts
    code: str
    staff: User
    writer: Callable[[str, bool], User]
    events: list[tuple[datetime, int, Task]] = field(default_factory=list)
    sequence: Iterator[int] = field(default_factory=itertools.count)
    discussions: dict[str, int] = field(default_factory=dict)
    proposals: dict[str, int] = field(default_factory=dict)

    def at(self, moment: datetime, task: Task) -> None:
        heapq.heappush(self.events, (moment, next(self.sequence), task))

    def run(self) -> None:
        """Oldest first; a task may plan later events (a milestone done next month)."""
        heapq.heapify(self.events)
        while self.events:
            moment, _n, task = heapq.heappop(self.events)
            task(moment)

    def author(self, language: str, *, fresh: bool = False) -> User:
        return self.writer(language, fresh)

    def signed_in(self, who: User, do: Callable[..., R], /, **kwargs: Any) -> R:
        """``do`` (a discussion service's ``do_*``) in this loop's session, as the
        signed-in ``who``."""
        return do(self.session, user=who, actor=accounts.actor_for(who), **kwargs)

    def plan(self) -> None:
        rng, clock = self.rng, self.clock
        opened = sorted(rng.sample(range(40, DAYS - 12), len(DISCUSSIONS)), reverse=True)
        opened_ago = {post.key: ago for post, ago in zip(DISCUSSIONS, opened, strict=True)}
        for post in DISCUSSIONS:
            self.at(
                clock.day(opened_ago[post.key], rng.randint(8, 20), rng.randint(0, 59)),
                self._discussion(post),
            )
        for key, language, text, by in COMMENTS:
            ago = max(1, opened_ago[key] - rng.randint(1, 2))
            self.at(
                clock.day(ago, rng.randint(8, 21), rng.randint(0, 59)),
                self._comment(key, language, text, by),
            )
        submitted: dict[str, int] = {}
        for proposal in PROPOSALS:
            key, disc = proposal.key, proposal.discussion
            submitted[key] = max(8, opened_ago[disc] - rng.randint(1, 4))
            self.at(
                clock.day(submitted[key], rng.randint(8, 21), rng.randint(0, 59)),
                self._proposal(proposal),
            )
        for proposal in PROPOSALS:
            key, into = proposal.key, proposal.merged_into
            answered = max(4, submitted[key] - rng.randint(3, 9))
            if into is not None:
                answered = min(answered, submitted[into] - 1)
            self.at(clock.day(answered, 10, 30), self._answer(proposal, answered))
        self.at(clock.day(3, 2, 14), self._spam)
        self.at(clock.day(5, 13, 5), self._advertisement)

    # each returns the task that does it when its moment comes

    def _discussion(self, post: Post) -> Task:
        def task(moment: datetime) -> None:
            writer = self.author(post.language)
            row = self.signed_in(
                writer,
                discussion.do_open_discussion,
                region_code=self.code,
                title=post.title,
                body=post.body,
                language=post.language,
                now=moment,
            )
            self.discussions[post.key] = row.id
            self.counts.add("discussions")

        return task

    def _comment(self, key: str, language: str, text: str, by: str) -> Task:
        def task(moment: datetime) -> None:
            if by == "staff":
                writer = self.staff
            else:
                writer = self.author({"local": "zh_Hans", "macau": "zh_Hant"}.get(by, language))
            self.signed_in(
                writer,
                discussion.do_comment,
                target_type="discussion",
                target_id=self.discussions[key],
                text=text,
                language=language,
                now=moment,
            )
            self.counts.add("comments")

        return task

    def _proposal(self, proposal: ProposalSpec) -> Task:
        key, disc, language, title, body = proposal[:5]

        def task(moment: datetime) -> None:
            writer = self.author(language)
            row = self.signed_in(
                writer,
                discussion.do_submit_proposal,
                title=title,
                body=body,
                language=language,
                discussion_id=self.discussions[disc],
                now=moment,
            )
            self.proposals[key] = row.id
            self.counts.add("proposals")
            self.counts.add("held", int(row.held))

        return task

    def _answer(self, proposal: ProposalSpec, answered_ago: int) -> Task:
        key, answer, reason, into, milestones = (
            proposal.key,
            proposal.answer,
            proposal.reason,
            proposal.merged_into,
            proposal.milestones,
        )

        def task(moment: datetime) -> None:
            staff = accounts.actor_for(self.staff)
            answered = self.signed_in(
                self.staff,
                discussion.do_answer_proposal,
                proposal_id=self.proposals[key],
                decision=answer,
                reason=reason,
                merged_into_id=self.proposals[into] if into else None,
                now=moment,
            )
            self.counts.add(f"proposals_{answer}")
            if answered.implementation is None:
                return
            self.counts.add("governance_actions")
            self._govern(answered.implementation.id, key, milestones, answered_ago, staff)

        return task

    def _govern(
        self,
        implementation_id: int,
        key: str,
        titles: Sequence[str],
        answered_ago: int,
        staff: Actor,
    ) -> None:
        """Milestones planned the day of the answer; all but the last done (all of them,
        and the action completed, for the waste-sorting guide), with dated updates."""
        clock = self.clock
        finish_all = key == "waste-en"
        step = max((answered_ago - 1) // len(titles), 1)
        rows = [
            deliberation.do_add_milestone(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                title=title,
                due_on=clock.local_date(answered_ago - (n + 1) * step + (0 if finish_all else -10)),
                now=clock.day(answered_ago, 11),
            )
            for n, title in enumerate(titles)
        ]
        self.counts.add("milestones", len(rows))
        done = rows if finish_all else rows[: max(1, len(rows) - 1)]
        for n, milestone in enumerate(done):
            done_ago = max(1, answered_ago - (n + 1) * step)
            self.at(
                clock.day(done_ago, 17),
                self._progress(
                    milestone.id,
                    implementation_id,
                    milestone.title,
                    round(100 * (n + 1) / len(rows)),
                    staff,
                ),
            )
        if finish_all:
            last = max(1, answered_ago - len(done) * step)
            self.at(clock.day(last, 18), self._complete(implementation_id, staff))
        elif key == "signs-en":
            self.at(clock.day(1, 19, 40), self._supervise(implementation_id))

    def _progress(
        self, milestone_id: int, implementation_id: int, title: str, progress: int, staff: Actor
    ) -> Task:
        def task(moment: datetime) -> None:
            deliberation.do_mark_milestone_done(
                self.session,
                actor=staff,
                milestone_id=milestone_id,
                done_on=moment.astimezone(self.clock.tz).date(),
                now=moment,
            )
            deliberation.do_post_update(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                text=f"已完成：{title}。",
                progress=progress,
                now=moment + timedelta(minutes=20),
            )
            self.counts.add("updates")

        return task

    def _complete(self, implementation_id: int, staff: Actor) -> Task:
        def task(moment: datetime) -> None:
            deliberation.do_complete_implementation(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                note="指引已张贴到全部投放点，居民群已转发。",
                now=moment,
            )

        return task

    def _supervise(self, implementation_id: int) -> Task:
        def task(moment: datetime) -> None:
            watcher = self.author("zh_Hant")
            self.signed_in(
                watcher,
                discussion.do_comment,
                target_type="implementation",
                target_id=implementation_id,
                supervision=True,
                text="一樓窗口的英文標識已經裝好，二樓公告欄的欄目名稱還沒有換，請跟進。",
                language="zh_Hant",
                now=moment,
            )
            self.counts.add("supervision_comments")

        return task

    def _spam(self, moment: datetime) -> None:
        """A link-laden advertisement posted as a proposal: held for the moderators, and
        nobody answers it."""
        spammer = self.author("en", fresh=True)
        row = self.signed_in(
            spammer,
            discussion.do_submit_proposal,
            title=SPAM_PROPOSAL[0],
            body=SPAM_PROPOSAL[1],
            language="en",
            region_code=self.code,
            now=moment,
        )
        self.counts.add("proposals")
        self.counts.add("held", int(row.held))

    def _advertisement(self, moment: datetime) -> None:
        """An advertisement in a discussion: held by the spam screen or reported by a
        reader, then hidden by the community's moderator with a reason."""
        seller = self.author("zh_Hans")
        ad = self.signed_in(
            seller,
            discussion.do_comment,
            target_type="discussion",
            target_id=self.discussions[AD_COMMENT[0]],
            text=AD_COMMENT[2],
            language=AD_COMMENT[1],
            now=moment,
        )
        self.counts.add("comments")
        if not ad.held:  # the screen may already hold it for the moderators
            reporter = self.author("es")
            self.signed_in(
                reporter,
                discussion.do_report,
                target_type="comment",
                target_id=ad.id,
                reason="Esto es publicidad, no tiene nada que ver con la discusión.",
                now=moment + timedelta(hours=5, minutes=35),
            )
        self.signed_in(
            self.staff,
            discussion.do_hide,
            target_type="comment",
            target_id=ad.id,
            reason="商业广告，与本讨论无关（社区讨论公约第三条）。",
            now=moment + timedelta(hours=20, minutes=10),
        )
        self.counts.add("hidden")
