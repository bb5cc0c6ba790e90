"""Photos through the public report form (both engines): kept resized, without EXIF
and with a thumbnail; a non-image and a decompression bomb are refused with a 4xx and
no case is made."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from gridgov.audit.service import Actor
from gridgov.cases.models import Case, Photo
from gridgov.db import Database
from tests.cases.factories import IN_GRID_1
from tests.cases.test_pages import hidden, tracking_code_in
from tests.photos import jpeg
from tests.test_images import exif_with, png_header_only

EN = {"Accept-Language": "en"}


def post_report(client: TestClient, photo: bytes, name: str) -> tuple[int, str]:
    form = client.get("/report", headers=EN)
    response = client.post(
        "/report",
        data={
            "csrf_token": hidden(form.text, "csrf_token"),
            "idempotency_key": hidden(form.text, "idempotency_key"),
            "description": "小区门口垃圾堆了三天没人清理",
            "category": "E0101",
            "lon": str(IN_GRID_1[0]),
            "lat": str(IN_GRID_1[1]),
            "anonymous": "1",
        },
        files=[("photos", (name, photo, "image/jpeg"))],
        headers=EN,
    )
    return response.status_code, response.text


def test_a_phone_photo_is_kept_at_1600_px_with_a_thumbnail_and_no_exif(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a 4000×3000 photo with EXIF, sent with an anonymous report
    status, text = post_report(client, jpeg(4000, 3000, exif=exif_with(1)), "big.jpg")
    assert status == 200, text
    code = tracking_code_in(text)
    # Then the kept photo is at most 1600 px, its thumbnail at most 320 px, neither has EXIF
    with db.session() as session:
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        photo = session.scalars(select(Photo).where(Photo.case_id == case.id)).one()
        kept, thumb = Image.open(io.BytesIO(photo.data)), photo.thumbnail
    assert thumb is not None
    small = Image.open(io.BytesIO(thumb))
    assert max(kept.size) == 1600
    assert max(small.size) <= 320
    assert not kept.getexif()
    assert not small.getexif()
    assert photo.content_type == "image/jpeg"
    assert photo.size == len(photo.data)


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 400, "could not be read as an image"),
        (png_header_only(20_000, 20_000), "at most 40 million pixels"),
    ],
    ids=["not-an-image", "decompression-bomb"],
)
def test_a_non_image_and_a_bomb_are_refused_and_nothing_is_kept(
    client: TestClient, db: Database, people: dict[str, Actor], photo: bytes, message: str
) -> None:
    status, text = post_report(client, photo, "x.jpg")
    assert 400 <= status < 500
    assert message in text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
