"""Service points, the matters catalogue and the 10-minute circle: enums, defaults,
checks and small calculations. Pure: no I/O; ``now`` is passed in where time matters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gridgov.datafiles import DataFileError
from gridgov.errors import Problem
from gridgov.msgids import N_

DEFAULT_MINUTES = 10.0  # 10分钟党群服务圈
DEFAULT_SPEED_M_PER_MIN = 75.0  # 4.5 km/h: an unhurried adult, elderly residents included
MINUTES_RANGE = (1.0, 60.0)
SPEED_RANGE = (30.0, 120.0)
MAX_K = 50
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


class PointKind(StrEnum):
    CENTRE = "party_people_centre"  # 党群服务中心
    STATION = "community_station"  # 社区服务站
    WINDOW = "convenience_window"  # 便民服务窗口


class NetworkSource(StrEnum):
    GEOJSON = "geojson"
    OSM_PBF = "osm_pbf"
    SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class Matter:
    """A matter in the catalogue (事项): what can be done, in three languages."""

    code: str
    names: dict[str, str]
    documents: dict[str, list[str]]
    one_trip: bool
    average_minutes: int
    department: str

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["zh_Hans"]

    def documents_in(self, language: str) -> list[str]:
        return self.documents.get(language) or self.documents.get("zh_Hans", [])


@dataclass(frozen=True)
class PointInput:
    """A service point as a form or the API gives it."""

    code: str
    name: str
    kind: str
    region_code: str
    lon: float
    lat: float
    address: str = ""
    opening_hours: str = ""
    staff: int = 0


def check_point(point: PointInput) -> list[Problem]:
    problems: list[Problem] = []
    if not _CODE.fullmatch(point.code):
        problems.append(Problem("code", "Use 1 to 32 letters, digits, - or _."))
    if not point.name.strip() or len(point.name) > 128:
        problems.append(Problem("name", "A name of 1 to 128 characters is required."))
    if point.kind not in {k.value for k in PointKind}:
        problems.append(Problem("kind", "Unknown kind of service point."))
    if not (-180 <= point.lon <= 180 and -90 <= point.lat <= 90):
        problems.append(Problem("lon", "The location is not a longitude and latitude."))
    if not 0 <= point.staff <= 500:
        problems.append(Problem("staff", "Staff must be between 0 and 500."))
    if len(point.opening_hours) > 256:
        problems.append(Problem("opening_hours", "At most 256 characters."))
    return problems


def check_parameters(minutes: float, speed: float) -> list[Problem]:
    checks = (
        ("minutes", minutes, MINUTES_RANGE, N_("Minutes must be between %(low)s and %(high)s.")),
        (
            "speed",
            speed,
            SPEED_RANGE,
            N_("Walking speed must be between %(low)s and %(high)s metres a minute."),
        ),
    )
    return [
        Problem(field, message, low=low, high=high)
        for field, value, (low, high), message in checks
        if not low <= value <= high
    ]


def parse_catalogue(document: Any) -> list[Matter]:
    """The matters catalogue from its YAML document (``data/matters.yaml``); a broken
    entry raises DataFileError naming it."""
    if not isinstance(document, dict) or not isinstance(document.get("matters"), list):
        raise DataFileError(1, "The file needs a list under matters.")
    matters: list[Matter] = []
    seen: set[str] = set()
    for number, raw in enumerate(document["matters"], start=1):
        where = int(getattr(raw, "line", number))
        if not isinstance(raw, dict):
            raise DataFileError(where, "Each matter is a mapping.")
        code = str(raw.get("code", ""))
        names = raw.get("name")
        if not _CODE.fullmatch(code) or code in seen:
            raise DataFileError(where, "Each matter needs a unique code.")
        if not isinstance(names, dict) or not all(names.get(lang) for lang in LANGUAGES):
            raise DataFileError(where, "A name in zh_Hans, zh_Hant and en is required.")
        documents = raw.get("documents") or {}
        minutes = raw.get("average_minutes", 15)
        if not isinstance(minutes, int) or not 1 <= minutes <= 480:
            raise DataFileError(where, "The average time must be 1 to 480 minutes.")
        seen.add(code)
        matters.append(
            Matter(
                code=code,
                names={lang: str(names[lang]) for lang in LANGUAGES},
                documents={str(k): [str(d) for d in v] for k, v in documents.items()},
                one_trip=bool(raw.get("one_trip", False)),
                average_minutes=minutes,
                department=str(raw.get("department", "")),
            )
        )
    return matters


def one_trip_rate(records: int, one_trip: int) -> float | None:
    """Share of matters settled in one visit (最多跑一次); None with no records."""
    return one_trip / records if records else None


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def points_digest(points: list[tuple[str, float, float]]) -> str:
    """A stable digest of the active points (code, lon, lat): a snapshot whose digest
    differs from the current one is stale."""
    import hashlib

    text = ";".join(f"{c}:{lon:.6f}:{lat:.6f}" for c, lon, lat in sorted(points))
    return hashlib.sha256(text.encode()).hexdigest()
