"""Pure crisis rules: kinds, levels, the "three levels, two teams" posts, task and
check-in states, who is seen first, when an unreached household or an overdue task
escalates, when sensitive flags are anonymised, and which language block of a broadcast
a household gets. No I/O; ``now`` is always passed in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gridgov.accounts.rules import Role
from gridgov.errors import InvalidInput, Problem

# Roles that run an incident (open it, staff it, give out tasks, broadcast).
COMMAND_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.DISPATCHER})
# Roles that check on households and work tasks in the field, in their scope: the grid
# workers, and the community office's staff and its branch secretary, to whom a task
# past its deadline escalates (sweep.py) and who lead the village in a typhoon.
FIELD_ROLES = COMMAND_ROLES | {Role.GRID_WORKER, Role.UNIT_STAFF, Role.BRANCH_SECRETARY}


class IncidentKind(StrEnum):
    EPIDEMIC = "epidemic"  # 疫情
    TYPHOON = "typhoon"  # 台风
    FLOOD = "flood"  # 洪涝
    FIRE = "fire"  # 火灾
    OUTAGE = "outage"  # 停水停电


class IncidentLevel(StrEnum):
    """Emergency response levels, IV (blue, least) to I (red, most)."""

    IV = "level_iv"  # 四级 蓝色
    III = "level_iii"  # 三级 黄色
    II = "level_ii"  # 二级 橙色
    I = "level_i"  # noqa: E741  一级 红色


class IncidentState(StrEnum):
    ACTIVE = "ongoing"
    CLOSED = "ended"


class Post(StrEnum):
    """Three levels and two teams (三级两队)."""

    COMMUNITY_LEAD = "community_lead"  # 社区级 负责人
    GRID_LEAD = "grid_lead"  # 网格级 负责人
    BUILDING_LEAD = "building_lead"  # 楼栋级 负责人
    VANGUARD = "vanguard"  # 党员先锋队
    VOLUNTEER = "volunteer"  # 志愿者服务队


LEAD_POSTS = frozenset({Post.COMMUNITY_LEAD, Post.GRID_LEAD, Post.BUILDING_LEAD})
TEAM_POSTS = frozenset({Post.VANGUARD, Post.VOLUNTEER})


class TaskKind(StrEnum):
    DOOR_TO_DOOR = "door_to_door"  # 入户排查
    SUPPLY_DELIVERY = "supply_delivery"  # 物资配送
    TRANSFER = "transfer"  # 转移安置


class TaskState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_ALLOWED: dict[TaskState, frozenset[TaskState]] = {
    TaskState.OPEN: frozenset({TaskState.IN_PROGRESS, TaskState.DONE, TaskState.CANCELLED}),
    TaskState.IN_PROGRESS: frozenset({TaskState.DONE, TaskState.CANCELLED, TaskState.OPEN}),
    TaskState.DONE: frozenset(),
    TaskState.CANCELLED: frozenset(),
}


class TaskLevel(StrEnum):
    """Where an overdue task sits: the grid, then the community, then the street."""

    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"


TASK_LADDER = (TaskLevel.GRID, TaskLevel.COMMUNITY, TaskLevel.STREET)


def transition(current: TaskState, target: TaskState) -> TaskState:
    if target not in TASK_ALLOWED[current]:
        raise InvalidInput(
            "A task cannot go from %(from)s to %(to)s.",
            params={"from": current.value, "to": target.value},
        )
    return target


class CheckinStatus(StrEnum):
    PENDING = "unreached"  # not yet reached
    REACHED = "reached"
    SAFE = "safe"
    NEEDS_HELP = "needs_help"
    ABSENT = "absent"
    REFUSED = "refused"


# What a worker records; "unreached" is only the starting point.
RECORDABLE = frozenset(CheckinStatus) - {CheckinStatus.PENDING}
RECORDABLE_ORDER = tuple(s for s in CheckinStatus if s is not CheckinStatus.PENDING)
UNREACHED = frozenset({CheckinStatus.PENDING, CheckinStatus.ABSENT})


class Need(StrEnum):
    MEDICINE = "medicine"
    FOOD = "food"
    TRANSPORT = "transport"
    MEDICAL = "medical"


class Vulnerability(StrEnum):
    """Sensitive flags: shown only inside the incident's scope, anonymised after the
    retention period. The register's tags ``elderly_alone`` and ``disability`` map here."""

    ELDERLY_ALONE = "elderly_alone"
    DISABLED = "disability"
    PREGNANT = "pregnant"
    CHRONIC_ILLNESS = "chronic_illness"


# Register tag -> vulnerability flag.
REGISTER_TAGS: Mapping[str, Vulnerability] = {
    "elderly_alone": Vulnerability.ELDERLY_ALONE,
    "disability": Vulnerability.DISABLED,
    "pregnant": Vulnerability.PREGNANT,
    "chronic_illness": Vulnerability.CHRONIC_ILLNESS,
}


def flags_from_tags(tags: Iterable[str]) -> list[str]:
    """The vulnerability flags of a household from its residents' register tags."""
    found: set[str] = set()
    for text in tags:
        for tag in text.split(","):
            flag = REGISTER_TAGS.get(tag.strip())
            if flag:
                found.add(flag.value)
    return sorted(found)


def priority(flags: Iterable[str]) -> int:
    """Lower is sooner: households with vulnerable people come first, the more flags
    the sooner."""
    return 10 - min(len(set(flags)), 4) * 2 if flags else 10


def split(text: str) -> list[str]:
    return [part for part in (p.strip() for p in text.split(",")) if part]


def join(values: Iterable[str]) -> str:
    return ",".join(sorted(set(values)))


def checkin_problems(status: str, needs: Iterable[str], note: str) -> list[Problem]:
    problems: list[Problem] = []
    if status not in {s.value for s in RECORDABLE}:
        problems.append(Problem("status", "Choose what you found at the household."))
    known = {n.value for n in Need}
    if any(n not in known for n in needs):
        problems.append(Problem("needs", "Unknown need."))
    if len(note) > 1000:
        problems.append(Problem("note", "At most %(n)s characters.", n=1000))
    return problems


def unreached_due(started_at: datetime, hours: int, now: datetime) -> bool:
    """A household not reached ``hours`` after the incident started escalates."""
    return now >= started_at + timedelta(hours=hours)


def next_level(level: TaskLevel) -> TaskLevel | None:
    index = TASK_LADDER.index(level)
    return TASK_LADDER[index + 1] if index + 1 < len(TASK_LADDER) else None


def task_overdue(state: TaskState, due_at: datetime | None, now: datetime) -> bool:
    open_ = state in (TaskState.OPEN, TaskState.IN_PROGRESS)
    return open_ and due_at is not None and due_at < now


def anonymise_after(closed_at: datetime | None, retention_days: int) -> datetime | None:
    """When an incident's sensitive data goes: ``retention_days`` after it closed; never
    while it runs."""
    if closed_at is None:
        return None
    return closed_at + timedelta(days=retention_days)


def due_for_anonymisation(closed_at: datetime | None, retention_days: int, now: datetime) -> bool:
    moment = anonymise_after(closed_at, retention_days)
    return moment is not None and now >= moment


# ---------------------------------------------------------------- area


_CODE = re.compile(r"[0-9]{6,17}")


def area_problems(region_code: str, area_codes: Iterable[str]) -> list[Problem]:
    codes = list(area_codes)
    if not codes:
        return [Problem("area", "Name at least one region, or draw the area.")]
    problems = []
    for code in codes:
        if not _CODE.fullmatch(code):
            problems.append(Problem("area", "%(code)s is not a region code.", code=code))
        elif not code.startswith(region_code):
            problems.append(
                Problem("area", "%(code)s lies outside the incident's region.", code=code)
            )
    return problems


def in_area(area_codes: Iterable[str], grid_code: str) -> bool:
    return any(grid_code.startswith(code) for code in area_codes)


# ---------------------------------------------------------------- broadcast languages

LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z]{4})?")

_CHINESE_TRADITIONAL = {"tw", "hk", "mo", "hant"}


def block_language(tag: str) -> str | None:
    """A broadcast block's language: ``zh-Hans``, ``zh-Hant``, ``en``, ``ko``, ``ar``…"""
    cleaned = tag.strip().replace("_", "-")
    if not cleaned:
        return None
    parts = cleaned.split("-")
    primary = parts[0].lower()
    if primary == "zh":
        rest = {p.lower() for p in parts[1:]}
        return "zh-Hant" if rest & _CHINESE_TRADITIONAL else "zh-Hans"
    if not re.fullmatch(r"[a-z]{2,3}", primary):
        return None
    return primary


def choose_language(wanted: Iterable[str | None], available: Iterable[str], fallback: str) -> str:
    """The block a household reads: the first of its members' languages that the
    broadcast has (exact, then by primary language), else the broadcast's fallback."""
    have = set(available)
    for tag in wanted:
        if not tag:
            continue
        found = block_language(tag)
        if found and found in have:
            return found
    return fallback


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class BroadcastChannel(StrEnum):
    IN_APP = "in_app"
    SMS = "sms"
    CHAT = "chat"


class BroadcastSeverity(StrEnum):
    NOTICE = "bulletin"
    ALERT = "alert"


@dataclass(frozen=True)
class Block:
    language: str
    headline: str
    body: str


def broadcast_problems(blocks: Iterable[Block], fallback: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for block in blocks:
        if block_language(block.language) != block.language:
            problems.append(
                Problem("blocks", "%(code)s is not a language code.", code=block.language)
            )
        if block.language in seen:
            problems.append(Problem("blocks", "%(code)s is written twice.", code=block.language))
        seen.add(block.language)
        if not block.headline.strip() or not block.body.strip():
            problems.append(Problem("blocks", "Each language needs a headline and a text."))
        if len(block.headline) > 200 or len(block.body) > 4000:
            problems.append(Problem("blocks", "A block is too long."))
    if not seen:
        problems.append(Problem("blocks", "Write the notice in at least one language."))
    elif fallback not in seen:
        problems.append(Problem("fallback", "The fallback language must be one of the blocks."))
    return problems
