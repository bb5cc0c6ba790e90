"""The masks staff pages apply to what a role may not reveal."""

from __future__ import annotations

from gridgov.fields import mask_address


def test_an_address_is_masked_after_its_building() -> None:
    # Given a household's address with its door, then one naming no building
    # When masked, Then the building stays and the door is starred
    assert mask_address("广东省汕头市濠江区濠滨社区濠滨路1号101房") == (
        "广东省汕头市濠江区濠滨社区濠滨路1号***"
    )
    assert mask_address("青篮村委会旁边小卖部") == "青篮村委会旁****"
    assert mask_address("小卖部") == "***"
