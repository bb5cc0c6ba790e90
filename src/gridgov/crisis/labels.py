"""Catalogue ids for crisis values shown through ``_(value)``: kinds, levels, posts,
task and check-in states, needs, flags, channels, delivery states, languages."""

from __future__ import annotations

from gridgov.msgids import N_

LABELS = (
    N_("epidemic"),
    N_("typhoon"),
    N_("flood"),
    N_("fire"),
    N_("outage"),
    N_("level_iv"),
    N_("level_iii"),
    N_("level_ii"),
    N_("level_i"),
    N_("ongoing"),
    N_("ended"),
    N_("community_lead"),
    N_("grid_lead"),
    N_("building_lead"),
    N_("vanguard"),
    N_("volunteer"),
    N_("door_to_door"),
    N_("supply_delivery"),
    N_("transfer"),
    N_("open"),
    N_("in_progress"),
    N_("done"),
    N_("cancelled"),
    N_("unreached"),
    N_("reached"),
    N_("safe"),
    N_("needs_help"),
    N_("absent"),
    N_("refused"),
    N_("medicine"),
    N_("food"),
    N_("transport"),
    N_("medical"),
    N_("elderly_alone"),
    N_("disability"),
    N_("pregnant"),
    N_("chronic_illness"),
    N_("in_app"),
    N_("sms"),
    N_("chat"),
    N_("queued"),
    N_("delivered"),
    N_("read"),
    N_("failed"),
    N_("bulletin"),
    N_("alert"),
    N_("grid"),
    N_("community"),
    N_("street"),
    # the field app's kinds of waiting item
    N_("report"),
    N_("checkin"),
    N_("case_step"),
    N_("visit"),
)

# Block languages offered in the broadcast form, with their own names.
BLOCK_LANGUAGES = (
    ("zh-Hans", "简体中文"),
    ("zh-Hant", "繁體中文"),
    ("en", "English"),
    ("ko", "한국어"),
    ("ja", "日本語"),
    ("vi", "Tiếng Việt"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("th", "ไทย"),
    ("id", "Bahasa Indonesia"),
    ("pt", "Português"),
)

# Incident kinds whose code is another domain's value too ("flood" is a burst of reports
# in moderation): these read through their own catalogue id.
KIND_LABELS = {"flood": N_("flooding")}
