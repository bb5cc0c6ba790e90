"""The text of case notifications: translated templates rendered in the recipient's
language, with times in the office's timezone and a link to the case.

Residents read their preferred language (their account's, else the office default),
staff their interface language; a phone number without an account gets the office
default. The link is a path on this installation: ``/track/CODE`` for reporters,
``/cases/ID`` for staff. How messages are claimed and sent is ``cases.notify``'s.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from gridgov import clock
from gridgov.msgids import N_

DEFAULT_LANGUAGE = "zh_Hans"


# kind → (subject, body). Placeholders: code, category, place, due, when, link, unit.
TEMPLATES: dict[str, tuple[str, str]] = {
    "received": (
        N_("[%(code)s] We have your report"),
        N_("Your report %(code)s (%(category)s) has been received. Follow it: %(link)s"),
    ),
    "rejected": (
        N_("[%(code)s] Your report was not taken up"),
        N_("Your report %(code)s was not taken up. See why: %(link)s"),
    ),
    "merged": (
        N_("[%(code)s] Your report joins an earlier one"),
        N_("Someone reported the same problem first; it is handled there. %(link)s"),
    ),
    "resolved": (
        N_("[%(code)s] Your report has been dealt with"),
        N_(
            "The handler reports it done; it is being checked on the spot. "
            "See what was done: %(link)s"
        ),
    ),
    "closed": (
        N_("[%(code)s] Your report is closed"),
        N_("Checked and closed on %(when)s. Tell us how satisfied you are: %(link)s"),
    ),
    "assigned": (
        N_("[%(code)s] New case: %(category)s"),
        N_("%(category)s at %(place)s. Report in by %(due)s. %(link)s"),
    ),
    "overdue": (
        N_("[%(code)s] Past its deadline"),
        N_("Case %(code)s is past its deadline. Deal with it or ask for more time: %(link)s"),
    ),
    "report_in_soon": (
        N_("[%(code)s] Report in within the hour"),
        N_("Case %(code)s must be acknowledged within the hour: %(link)s"),
    ),
    "unstaffed": (
        N_("[%(code)s] Nobody can work this case"),
        N_(
            "It went to %(unit)s, which has no active staff. "
            "Assign it elsewhere or give the unit an account. %(link)s"
        ),
    ),
}


_TRAILING_LINK = re.compile(r"[\s:：]*(/[^\s]*)\s*$")


def split_link(body: str) -> tuple[str, str | None]:
    """A message's text without the site path it ends with, and that path: the inbox shows
    the words and makes the path a link ("…请即公布：/notices/new?…" → words + link)."""
    found = _TRAILING_LINK.search(body)
    if found is None or found.group(1).startswith("//"):
        return body, None
    return body[: found.start()].rstrip(" ，,。:：") or body, found.group(1)


def local(moment: datetime | None, tz: str) -> str:
    return clock.local_minute(moment, tz)


def compose(kind: str, *, language: str | None, params: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message of ``kind`` in ``language``."""
    from gridgov.i18n import gettext, normalise

    chosen = normalise(language) or DEFAULT_LANGUAGE
    subject, body = TEMPLATES[kind]
    filled = {k: ("" if v is None else v) for k, v in params.items()}
    return gettext(chosen, subject, filled), gettext(chosen, body, filled)


def category_label(name_zh: str, name_en: str, language: str | None) -> str:
    return name_en if (language or "").startswith("en") else name_zh
