"""Catalogue ids for values shown through ``_(value)``: roles, levels, statuses.

``N_`` marks a string for extraction without translating it here.
"""

from __future__ import annotations

from gridgov.msgids import N_

LABELS = (
    # service points and siting (services/)
    N_("party_people_centre"),
    N_("community_station"),
    N_("convenience_window"),
    N_("mclp"),
    N_("lscp"),
    N_("greedy"),
    N_("exact"),
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
    N_("comprehensive"),
    N_("dedicated"),
    # organisation kinds
    N_("party_committee"),
    N_("general_branch"),
    N_("party_branch"),
    N_("party_group"),
    N_("department"),
    N_("street_office"),
    N_("community_office"),
    N_("social_org"),
    N_("enterprise"),
    # residents
    N_("male"),
    N_("female"),
    N_("householder"),
    N_("spouse"),
    N_("child"),
    N_("parent"),
    N_("grandchild"),
    N_("grandparent"),
    N_("sibling"),
    N_("other_relative"),
    N_("tenant"),
    N_("other"),
    N_("elderly_alone"),
    N_("disability"),
    N_("foreign_resident"),
    N_("low_income"),
    N_("veteran"),
    N_("left_behind_child"),
    N_("floating"),
    N_("mainland_id"),
    N_("hk_macau_permit"),
    N_("taiwan_permit"),
    N_("hmt_residence"),
    N_("passport"),
    # import kinds
    N_("buildings"),
    N_("households"),
    N_("residents"),
    N_("organisations"),
    N_("roles"),
)
