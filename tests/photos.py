"""Real images for upload tests, made with Pillow (a photo must now decode)."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(width: int = 64, height: int = 48, exif: bytes | None = None) -> bytes:
    """A JPEG of a colour gradient; ``exif`` is written into it when given."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    if exif is None:
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def png(width: int = 64, height: int = 48, *, transparent: bool = True) -> bytes:
    """A PNG; with ``transparent`` its left half is see-through, so it stays a PNG."""
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (200, 40, 40))
    if transparent:
        image.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
