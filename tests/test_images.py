"""Photos as kept (pure, no database): upright, without EXIF, at most 1600 px, with a
thumbnail; what does not decode, and a decompression bomb, are refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from gridgov import images
from tests.photos import jpeg, png


def exif_with(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    return exif.tobytes()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few dozen bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_4000_by_3000_photo_is_kept_at_1600_px_with_a_320_px_thumbnail_and_no_exif() -> None:
    # Given a phone's 4000×3000 JPEG with its make and an orientation in EXIF
    original = jpeg(4000, 3000, exif=exif_with(1))
    assert Image.open(io.BytesIO(original)).getexif()  # the EXIF is really there
    # When it is kept
    kept = images.normalise(original)
    # Then it is a JPEG at most 1600 px on its long side, without EXIF
    photo = Image.open(io.BytesIO(kept.data))
    assert kept.content_type == "image/jpeg"
    assert photo.format == "JPEG"
    assert photo.size == (1600, 1200) == (kept.width, kept.height)
    assert not photo.getexif()
    assert "exif" not in photo.info
    # and its thumbnail is at most 320 px, without EXIF either
    thumb = Image.open(io.BytesIO(kept.thumbnail))
    assert thumb.size == (320, 240)
    assert not thumb.getexif()


def test_the_orientation_is_applied_before_the_exif_goes() -> None:
    # Given a 400×300 photo whose EXIF says "rotate 90°" (orientation 6)
    kept = images.normalise(jpeg(400, 300, exif=exif_with(6)))
    # Then the kept photo is upright: 300 wide, 400 high
    assert Image.open(io.BytesIO(kept.data)).size == (300, 400)


def test_a_transparent_png_stays_png_and_a_small_photo_is_not_enlarged() -> None:
    kept = images.normalise(png(200, 100))
    photo = Image.open(io.BytesIO(kept.data))
    assert (kept.content_type, photo.format, photo.mode) == ("image/png", "PNG", "RGBA")
    assert photo.size == (200, 100)
    corner = photo.getpixel((0, 0))
    assert isinstance(corner, tuple)
    assert corner[3] == 0  # the see-through half is still see-through
    opaque = images.normalise(png(200, 100, transparent=False))
    assert opaque.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "data",
    [b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"%PDF-1.4 not a photo", b"", b"GIF89a" + b"\x00" * 32],
)
def test_what_does_not_decode_as_a_photo_is_refused(data: bytes) -> None:
    assert images.check(data) == images.NOT_AN_IMAGE
    with pytest.raises(images.PhotoRefused):
        images.normalise(data)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    # Given a 100-byte PNG that claims 20000 × 20000 pixels (400 million)
    bomb = png_header_only(20_000, 20_000)
    assert len(bomb) < 200
    # Then it is refused as too many pixels, and so is one just past the cap
    assert images.check(bomb) == images.TOO_MANY_PIXELS
    assert images.check(png_header_only(8000, 5001)) == images.TOO_MANY_PIXELS
