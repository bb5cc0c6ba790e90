"""Static files with content-hashed names, a year's immutable caching and gzip.

At start-up every file under ``static/`` is read once and named by its content:
``/static/css/app.css`` is also ``/static/css/app.3f2a1b9c0d.css``. Templates write
``{{ static_url('css/app.css') }}``, which gives the hashed name; a browser caches that
for a year without asking again (``immutable``), and a new release changes the name.
The plain names keep working, with ``no-cache`` (revalidated by ETag), for links from
outside. Text files (CSS, JS, SVG, JSON) are gzipped once, at start-up, and sent so to
clients that accept it. Only files found at start-up are served: a request names a key
of a dictionary, never a path on disk.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from email.utils import formatdate
from functools import cache
from pathlib import Path

from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".geojson", ".md", ".txt", ".html"})


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    last_modified: str


def hashed_name(relative: str, digest: str) -> str:
    """``css/app.css`` -> ``css/app.<digest>.css`` (the digest before the last suffix)."""
    folder, _, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{name}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


class StaticAssets:
    """The ASGI app mounted at ``/static``, and ``url()`` for templates."""

    def __init__(self, directory: Path, *, prefix: str = "/static") -> None:
        self.prefix = prefix
        self.assets: dict[str, Asset] = {}  # plain name -> asset
        self.hashed: dict[str, str] = {}  # hashed name -> plain name
        self.urls: dict[str, str] = {}  # plain name -> hashed URL
        for path in sorted(directory.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(directory).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith(("javascript", "json")):
                media_type += "; charset=utf-8"
            packed = None
            if path.suffix in COMPRESSIBLE and len(body) > 512:
                packed = gzip.compress(body, compresslevel=9, mtime=0)
                packed = packed if len(packed) < len(body) else None
            self.assets[relative] = Asset(
                body=body,
                gzipped=packed,
                media_type=media_type,
                etag=f'"{digest}"',
                last_modified=formatdate(path.stat().st_mtime, usegmt=True),
            )
            name = hashed_name(relative, digest)
            self.hashed[name] = relative
            self.urls[relative] = f"{prefix}/{name}"

    def text(self, relative: str) -> str:
        """A stylesheet's text, to inline in a page's ``<style>`` (never ``</`` in it)."""
        asset = self.assets[relative.lstrip("/")]
        return asset.body.decode("utf-8").replace("</", "<\\/")

    def url(self, relative: str) -> str:
        """The hashed URL of a static file (the plain one if it is not known)."""
        return self.urls.get(relative.lstrip("/"), f"{self.prefix}/{relative.lstrip('/')}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - mounted for HTTP only
            return
        name = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        name = name.removeprefix(self.prefix.lstrip("/")).lstrip("/")
        immutable = name in self.hashed
        asset = self.assets.get(self.hashed.get(name, name))
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 405, [(b"allow", b"GET, HEAD")], b"")
            return
        if asset is None:
            await _answer(send, 404, [(b"content-type", b"text/plain")], b"Not Found")
            return
        request = Headers(scope=scope)
        headers = [
            (b"cache-control", (IMMUTABLE if immutable else REVALIDATE).encode()),
            (b"etag", asset.etag.encode()),
            (b"last-modified", asset.last_modified.encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        if asset.etag in request.get("if-none-match", ""):
            await _answer(send, 304, headers, b"")
            return
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.get("accept-encoding", ""):
            body = asset.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-type", asset.media_type.encode()))
        await _answer(send, 200, headers, b"" if scope["method"] == "HEAD" else body, len(body))


async def _answer(
    send: Send,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    length: int | None = None,
) -> None:
    size = len(body) if length is None else length
    if status != 304:
        headers = [*headers, (b"content-length", str(size).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


STATIC_DIR = Path(__file__).parent / "static"


@cache
def assets() -> StaticAssets:
    """The static files of this installation, read once per process."""
    return StaticAssets(STATIC_DIR)


def static_url(relative: str) -> str:
    """For templates: ``{{ static_url('css/app.css') }}`` -> the hashed URL."""
    return assets().url(relative)


def inline_static(relative: str) -> Markup:
    """For templates: a page's critical stylesheet inline,
    ``<style>{{ inline_static('css/app.css') }}</style>``: the first paint waits for no
    request. Our own files, read at start-up; a missing name is a programming error."""
    return Markup(assets().text(relative))  # noqa: S704 - our own static file, not input
