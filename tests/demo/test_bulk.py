"""The demo's bulk inserts store what an INSERT stores: a large batch goes in by COPY on
PostgreSQL and by the driver's executemany on SQLite, and reads back exactly as the
same batch through SQLAlchemy's INSERT ... RETURNING
(encrypted fields, Python defaults, NULLs, aware times, new ids in row order, the
sequence moved past them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.db import Database
from gridgov.demo import bulk
from gridgov.registry.models import PersonRoleRow, Resident
from gridgov.registry.service import cipher_of, seal_id_number, seal_phone
from tests.conftest import FIXED_NOW
from tests.factories import make_district

GRIDS = ("440512001001", "440512002001")
COUNT = 6 * 42  # above bulk.COPY_FROM; a multiple of 2, 3 and 28, the patterns below
PERSONAL = (
    "name",
    "id_number_enc",
    "id_number_index",
    "id_number_masked",
    "phone_enc",
    "phone_index",
    "phone_masked",
)


def _residents(session: Session, first: int) -> list[dict[str, Any]]:
    """COUNT residents without ``nationality`` or ``tags`` (the columns' defaults
    apply), every third without a phone."""
    cipher = cipher_of(session)
    rows = []
    for n in range(first, first + COUNT):
        sealed = seal_id_number(cipher, f"44051219800101{n:04d}")
        phone = seal_phone(cipher, f"1380000{n:04d}") if n % 3 else None
        rows.append(
            {
                "name": f"居民{n}",
                "doc_type": "mainland_id",
                "id_number_enc": sealed.encrypted,
                "id_number_index": sealed.index,
                "id_number_masked": sealed.masked,
                "phone_enc": phone.encrypted if phone else None,
                "phone_index": phone.index if phone else None,
                "phone_masked": phone.masked if phone else None,
                "birth_date": date(1980, 1, 1 + n % 28),
                "sex": "female" if n % 2 else "male",
                "language": None,
                "household_id": None,
                "relation": None,
                "grid_code": GRIDS[n % 2],
                "created_at": FIXED_NOW,
            }
        )
    return rows


def _stored(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The residents as the ORM reads them back, encrypted fields decrypted, the id
    replaced by its place, with their roles."""
    cipher = cipher_of(session)
    found = session.scalars(select(Resident).where(Resident.id.in_(ids)).order_by(Resident.id))
    stored = []
    for place, resident in enumerate(found):
        row = {c.key: getattr(resident, c.key) for c in Resident.__table__.c}
        row["id"] = place
        row["id_number_enc"] = cipher.decrypt(resident.id_number_enc, field="id_number")
        if resident.phone_enc is not None:
            row["phone_enc"] = cipher.decrypt(resident.phone_enc, field="phone")
        row["roles"] = [
            (r.role, r.region_code, r.full_time, r.since)
            for r in session.scalars(
                select(PersonRoleRow)
                .where(PersonRoleRow.resident_id == resident.id)
                .order_by(PersonRoleRow.id)
            )
        ]
        stored.append(row)
    return stored


def _insert(db: Database, first: int) -> tuple[list[int], list[dict[str, Any]], int]:
    """Residents and roles in bulk; their ids, how they read back, and the id an
    ordinary insert gets next."""
    with db.transaction() as session:
        ids = bulk.insert_returning(session, Resident, _residents(session, first))
        roles = [
            {"resident_id": rid, "role": "volunteer", "region_code": GRIDS[0], "since": None}
            for rid in ids
        ]
        assert bulk.insert_rows(session, PersonRoleRow, roles) == COUNT
        after = Resident(
            name="后来者",
            doc_type="passport",
            id_number_enc=b"x",
            id_number_index=f"after-{first}",
            id_number_masked="*",
            grid_code=GRIDS[0],
            created_at=FIXED_NOW,
        )
        session.add(after)
        session.flush()
        next_id = after.id
    with db.session() as session:
        return ids, _stored(session, ids), next_id


def test_a_large_batch_reads_back_as_an_insert_would_store_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_district(db)
    # The same residents (but for their id numbers) through INSERT, then in bulk
    with monkeypatch.context() as plain:
        plain.setattr(bulk, "COPY_FROM", 10**9)
        inserted_ids, inserted, _ = _insert(db, first=0)
    # the batch goes in by COPY or executemany, not SQLAlchemy's INSERT

    def no_insert(*_args: Any) -> Any:
        raise AssertionError("a large batch should not go through SQLAlchemy's INSERT")

    monkeypatch.setattr(bulk, "insert", no_insert)
    ids, stored, next_id = _insert(db, first=COUNT)
    assert ids == sorted(ids) == list(range(ids[0], ids[0] + COUNT))
    assert ids[0] > inserted_ids[-1]
    assert next_id > ids[-1]
    assert len(stored) == len(inserted) == COUNT
    for old, new in zip(inserted, stored, strict=True):
        assert {k: v for k, v in new.items() if k not in PERSONAL} == {
            k: v for k, v in old.items() if k not in PERSONAL
        }
        assert [new[k] is None for k in PERSONAL] == [old[k] is None for k in PERSONAL]
    assert [r["name"] for r in stored] == [f"居民{n}" for n in range(COUNT, 2 * COUNT)]
    assert [r["id_number_masked"] for r in stored] == [
        f"440512********{n:04d}" for n in range(COUNT, 2 * COUNT)
    ]
    first = stored[0]
    assert first["nationality"] == "CHN"
    assert first["tags"] == ""
    assert first["created_at"] == FIXED_NOW
    assert first["id_number_enc"] == f"44051219800101{COUNT:04d}"
    assert first["phone_enc"] is None
    assert stored[1]["phone_enc"] == f"1380000{COUNT + 1:04d}"
    assert first["roles"] == [("volunteer", GRIDS[0], False, None)]
    with db.session() as session:
        cipher = cipher_of(session)
        indexes = session.scalars(select(Resident.id_number_index).where(Resident.id.in_(ids)))
        assert sorted(indexes) == sorted(
            seal_id_number(cipher, f"44051219800101{n:04d}").index for n in range(COUNT, 2 * COUNT)
        )
