"""Photos as we keep them: decoded with Pillow, turned upright, stripped of EXIF (a
phone's photo carries its GPS position and the device), at most 1600 px on the long
side, re-encoded as JPEG (PNG when it has transparency), with a thumbnail of at most
320 px for lists. Whatever does not decode as an image is refused, and so is an image
whose pixel count would blow up memory when decoded (a "decompression bomb")."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.msgids import N_

MAX_SIDE = 1600
THUMB_SIDE = 320
JPEG_QUALITY = 82
THUMB_QUALITY = 75
# 40 megapixels: a 50 MP phone camera is rare and a bomb is far beyond it. Pillow's own
# guard is set to the same figure so that nothing decodes past it.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

NOT_AN_IMAGE = N_("A photo could not be read as an image (JPEG, PNG or WebP).")
TOO_MANY_PIXELS = N_("A photo may have at most 40 million pixels.")


class PhotoRefused(ValueError):
    """The upload is not a photo we keep; ``message`` is a catalogue msgid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Normalised:
    content_type: str
    data: bytes
    thumbnail: bytes
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(TOO_MANY_PIXELS)
            image.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRefused(NOT_AN_IMAGE) from exc
    if image.format not in {"JPEG", "PNG", "WEBP"}:
        raise PhotoRefused(NOT_AN_IMAGE)
    return image


def check(data: bytes) -> str | None:
    """The msgid of why ``data`` is refused, or None when it is a photo we keep."""
    try:
        _open(data)
    except PhotoRefused as exc:
        return exc.message
    return None


def _encode(image: Image.Image, side: int, quality: int) -> tuple[str, bytes]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if copy.mode in {"RGBA", "LA"} or (copy.mode == "P" and "transparency" in copy.info):
        copy = copy.convert("RGBA")
        copy.save(out, format="PNG", optimize=True)
        return "image/png", out.getvalue()
    copy.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
    return "image/jpeg", out.getvalue()


def normalise(data: bytes) -> Normalised:
    """The photo as kept: upright, without metadata, resized, re-encoded; raises
    :class:`PhotoRefused`."""
    image = _open(data)
    try:
        upright = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError) as exc:  # a broken EXIF block
        raise PhotoRefused(NOT_AN_IMAGE) from exc
    # A fresh image without info: no EXIF, XMP, ICC comments or text chunks survive.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
        if "transparency" in upright.info:
            clean.info["transparency"] = upright.info["transparency"]
    content_type, body = _encode(clean, MAX_SIDE, JPEG_QUALITY)
    _, thumb = _encode(clean, THUMB_SIDE, THUMB_QUALITY)
    width, height = clean.size
    scale = min(1.0, MAX_SIDE / max(width, height))
    return Normalised(content_type, body, thumb, round(width * scale), round(height * scale))
