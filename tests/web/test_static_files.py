"""Static files: hashed names cached for a year, plain names revalidated, gzip once."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from fastapi.testclient import TestClient

from gridgov.web.static_files import IMMUTABLE, StaticAssets, hashed_name

STATIC = Path(__file__).parents[2] / "src" / "gridgov" / "web" / "static"


def test_a_hashed_name_puts_the_digest_before_the_suffix() -> None:
    assert hashed_name("css/app.css", "0123456789") == "css/app.0123456789.css"
    assert hashed_name("vendor/htmx/htmx.min.js", "ab") == "vendor/htmx/htmx.min.ab.js"
    assert hashed_name("LICENSE", "ab") == "LICENSE.ab"


def test_a_new_content_gets_a_new_url(tmp_path: Path) -> None:
    # given a static folder whose stylesheet changes between two releases
    (tmp_path / "site.css").write_text("body { color: red }")
    before = StaticAssets(tmp_path).url("site.css")
    (tmp_path / "site.css").write_text("body { color: blue }")
    after = StaticAssets(tmp_path).url("site.css")
    # then the two releases name it differently, and the name carries no path tricks
    assert before != after
    assert re.fullmatch(r"/static/site\.[0-9a-f]{10}\.css", after)


def test_pages_link_hashed_files_which_are_immutable_and_gzipped(client: TestClient) -> None:
    # given the login page (public) and the stylesheet it links
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    link = re.search(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', page.text)
    assert link is not None, "the page links the hashed stylesheet"
    # when the browser fetches it, accepting gzip
    css = client.get(link.group(1), headers={"Accept-Encoding": "gzip"})
    # then it is cached for a year, compressed, and the same bytes as on disk
    assert css.status_code == 200
    assert css.headers["cache-control"] == IMMUTABLE
    assert css.headers["content-encoding"] == "gzip"
    assert css.content == (STATIC / "css" / "app.css").read_bytes()  # httpx decodes gzip
    assert css.headers["content-type"].startswith("text/css")


def test_the_plain_name_still_works_and_revalidates(client: TestClient) -> None:
    plain = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in plain.headers
    assert plain.content == (STATIC / "css" / "app.css").read_bytes()
    again = client.get("/static/css/app.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_only_known_files_are_served(client: TestClient) -> None:
    for path in ("/static/../config.py", "/static/%2e%2e/app.py", "/static/nope.css"):
        assert client.get(path).status_code == 404
    assert client.post("/static/css/app.css").status_code in (403, 405)


def test_html_is_gzipped_for_browsers_that_accept_it(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"
    raw = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)
