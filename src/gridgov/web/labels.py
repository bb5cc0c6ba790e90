"""Catalogue ids for values shown through ``_(value)``: roles, levels, statuses.

``N_`` marks a string for extraction without translating it here.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


LABELS = (
    N_("resident"),
    N_("grid_worker"),
    N_("dispatcher"),
    N_("unit_staff"),
    N_("branch_secretary"),
    N_("leader"),
    N_("auditor"),
    N_("admin"),
    N_("district"),
    N_("street"),
    N_("community"),
    N_("grid"),
    N_("micro_grid"),
)
