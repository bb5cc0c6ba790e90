"""Open311 (GeoReport v2) attributes: one of every datatype of the specification, their
definitions for GET Service Definition, and reading them from a POST Service Request.

Datatypes: ``string`` (reporter_name), ``singlevaluelist`` (anonymous), ``text``
(details), ``number`` (count), ``datetime`` (noticed_at) and ``multivaluelist``
(hazards). A list is sent as ``attribute[code]=key`` or, as the specification writes a
multivaluelist, ``attribute[code][]=key1&attribute[code][]=key2``; both forms are read
for every attribute. Every bad attribute gets its own error, naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Form = dict[str, list[str]]
Node = dict[str, Any]
COUNT_MAX = 10_000
DETAILS_MAX = 1000
NAME_MAX = 64
TRUE_FALSE = ("true", "false")
HAZARDS = (
    ("blocks_traffic", "阻碍通行", "Blocks the way"),
    ("injury_risk", "可能伤人", "Could injure someone"),
    ("children_elderly", "影响老人儿童", "Affects children or the elderly"),
    ("night", "夜间更危险", "Worse at night"),
    ("recurring", "反复发生", "Keeps happening"),
)


class AttributeError_(ValueError):
    """Each description names one attribute and what is wrong with it."""

    def __init__(self, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.descriptions = descriptions


@dataclass
class Attributes:
    reporter_name: str = ""
    anonymous: bool = False
    details: str = ""
    count: int | None = None
    noticed_at: datetime | None = None
    hazards: list[str] = field(default_factory=list)

    def summary(self, english: bool = False) -> str:
        """A line for the case description: what the structured attributes said."""
        parts = []
        if self.count is not None:
            parts.append(f"{'count' if english else '数量'}: {self.count}")
        if self.noticed_at is not None:
            label = "noticed" if english else "发现时间"
            parts.append(f"{label}: {self.noticed_at.isoformat(timespec='minutes')}")
        if self.hazards:
            names = {key: (en if english else zh) for key, zh, en in HAZARDS}
            parts.append(("; " if english else "、").join(names[h] for h in self.hazards))
        return "; ".join(parts)


def definitions(english: bool) -> list[Node]:
    """The attributes every service takes, for GET Service Definition."""
    yes, no = ("Yes", "No") if english else ("是", "否")
    text = {
        "reporter_name": (
            "The name to record for the person reporting; first_name and last_name are "
            "used when this is empty.",
            "反映人姓名；留空时使用 first_name 与 last_name。",
            f"At most {NAME_MAX} characters.",
            f"不超过 {NAME_MAX} 个字符。",
        ),
        "anonymous": (
            "true: keep the reporter anonymous; no name or phone number is stored.",
            "true：匿名反映，不保存姓名和电话。",
            "true or false (the default).",
            "true 或 false（默认）。",
        ),
        "details": (
            "More details, added to the description.",
            "补充说明，附在描述之后。",
            f"At most {DETAILS_MAX} characters.",
            f"不超过 {DETAILS_MAX} 个字符。",
        ),
        "count": (
            "How many are affected (lights out, covers missing, vehicles…).",
            "涉及数量（不亮的路灯、缺失的井盖、车辆等）。",
            f"A whole number from 1 to {COUNT_MAX}.",
            f"1 到 {COUNT_MAX} 的整数。",
        ),
        "noticed_at": (
            "When the problem was first noticed.",
            "首次发现问题的时间。",
            "ISO 8601 with a time zone, e.g. 2026-12-06T08:30:00+08:00; not in the future.",
            "ISO 8601 格式并带时区，例如 2026-12-06T08:30:00+08:00；不能晚于现在。",
        ),
        "hazards": (
            "What makes it urgent (any number of them).",
            "紧迫原因（可多选）。",
            "Keys from the list, each as attribute[hazards][]=key.",
            "从列表中选择，每项以 attribute[hazards][]=key 发送。",
        ),
    }
    datatypes = (
        ("reporter_name", "string"),
        ("anonymous", "singlevaluelist"),
        ("details", "text"),
        ("count", "number"),
        ("noticed_at", "datetime"),
        ("hazards", "multivaluelist"),
    )
    out: list[Node] = []
    for order, (code, datatype) in enumerate(datatypes, start=1):
        description_en, description_zh, hint_en, hint_zh = text[code]
        node: Node = {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": False,
            "datatype_description": hint_en if english else hint_zh,
            "order": order,
            "description": description_en if english else description_zh,
        }
        if code == "anonymous":
            node["values"] = [{"key": "true", "name": yes}, {"key": "false", "name": no}]
        if code == "hazards":
            node["values"] = [{"key": k, "name": en if english else zh} for k, zh, en in HAZARDS]
        out.append(node)
    return out


def values(form: Form, code: str) -> list[str]:
    """Every non-empty value of ``attribute[code]`` and ``attribute[code][]``."""
    found = form.get(f"attribute[{code}]", []) + form.get(f"attribute[{code}][]", [])
    return [v.strip() for v in found if v.strip()]


def _single(form: Form, code: str, problems: list[str]) -> str:
    found = values(form, code)
    if len(found) > 1:
        problems.append(f"attribute[{code}] takes one value, not {len(found)}.")
    return found[0] if found else ""


def read(form: Form, *, now: datetime) -> Attributes:
    """The attributes of a POST Service Request; AttributeError_ lists every bad one."""
    problems: list[str] = []
    out = Attributes()
    out.reporter_name = _single(form, "reporter_name", problems)
    if len(out.reporter_name) > NAME_MAX:
        problems.append(f"attribute[reporter_name] has at most {NAME_MAX} characters.")
    anonymous = _single(form, "anonymous", problems).lower()
    if anonymous not in ("", *TRUE_FALSE):
        problems.append("attribute[anonymous] must be true or false.")
    out.anonymous = anonymous == "true"
    out.details = _single(form, "details", problems)
    if len(out.details) > DETAILS_MAX:
        problems.append(f"attribute[details] has at most {DETAILS_MAX} characters.")
    count = _single(form, "count", problems)
    if count:
        try:
            number = float(count)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number.is_integer() and 1 <= number <= COUNT_MAX):
            problems.append(f"attribute[count] must be a whole number from 1 to {COUNT_MAX}.")
        else:
            out.count = int(number)
    noticed = _single(form, "noticed_at", problems)
    if noticed:
        try:
            when = datetime.fromisoformat(noticed.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            problems.append("attribute[noticed_at] must be an ISO 8601 time with a time zone.")
        elif when.astimezone(UTC) > now.astimezone(UTC):
            problems.append("attribute[noticed_at] is in the future.")
        else:
            out.noticed_at = when
    keys = {k for k, _, _ in HAZARDS}
    hazards = values(form, "hazards")
    unknown = sorted({h for h in hazards if h not in keys})
    if unknown:
        problems.append(f"attribute[hazards] has unknown values: {', '.join(unknown)}.")
    out.hazards = [k for k, _, _ in HAZARDS if k in hazards]
    if problems:
        raise AttributeError_(problems)
    return out
