"""Assets served like a product's (issue 14): fingerprinted, precompressed static files
cached a year, compressed pages, a favicon, and a room page small when cold and a single
request when warm (in Chromium)."""

import gzip
import multiprocessing
import re
import shutil
from pathlib import Path

import brotli
import pytest
from playwright.sync_api import expect

from taskflow import assets
from taskflow.extensions import db
from taskflow.models import ChatRoom

from .conftest import ROOT, as_user, browser_login, expect_socket_open

STATIC = ROOT / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
ASSET_URL = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]+)"')
COLD_ROOM_PAGE_LIMIT = 45_000
BR, GZIP = {"Accept-Encoding": "br"}, {"Accept-Encoding": "gzip"}
BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def get(client, url: str, headers: dict | None = None, htmx: bool = False):
    """A GET with these request headers, through the test client's browser-like session."""
    return client.http.get(
        url, headers={**(headers or {}), **({"HX-Request": "true"} if htmx else {})}
    )


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


# --- static files ----------------------------------------------------------------------


def test_static_files_are_precompressed_and_cached_a_year_at_fingerprinted_urls(app, client):
    built = app.extensions["assets"]
    manifest = built.manifest
    scripts_and_sheets = [n for n in manifest if n.endswith((".js", ".css"))]
    assert "css/app.css" in scripts_and_sheets and "js/live.js" in scripts_and_sheets
    for name in scripts_and_sheets:
        url = "/static/" + manifest[name]
        assert re.search(r"\.[0-9a-f]{12}\.", url), url
        source = (built.files / manifest[name]).read_bytes()  # ours minified (below)
        for accept, encoding in ((BR, "br"), (GZIP, "gzip"), (BROWSER_ENCODINGS, "br")):
            response = get(client, url, accept)
            assert response.status_code == 200, url
            assert response.headers["Content-Encoding"] == encoding, url
            assert response.headers["Vary"] == "Accept-Encoding"
            assert response.headers["Cache-Control"] == IMMUTABLE
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert len(response.get_data()) < len(source)
            assert decoded(response) == source, url
        identity = get(client, url)
        assert "Content-Encoding" not in identity.headers
        assert identity.get_data() == source

        # The plain name still works (an old bookmark, a script), but is revalidated.
        plain = get(client, f"/static/{name}", BR)
        assert plain.status_code == 200
        assert decoded(plain) == source
        assert plain.headers["Cache-Control"] == "no-cache"
        assert "immutable" not in plain.headers["Cache-Control"]
        assert get(client, url, {"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_a_page_names_only_fingerprinted_static_files(app, chat_room):
    manifest = app.extensions["assets"].manifest
    fingerprinted = {"/static/" + hashed for hashed in manifest.values()}
    anonymous, alice = app.test_client(), as_user(app, "alice").http
    for client, url in ((anonymous, "/login"), (alice, "/boards"), (alice, f"/rooms/{chat_room}")):
        html = client.get(url).get_data(as_text=True)
        static = [u for u in ASSET_URL.findall(html) if u.startswith("/static/")]
        assert len(static) >= 4, url  # the sheet, the icon, htmx and ws at least
        assert set(static) <= fingerprinted, url
        assert "/static/" + manifest["vendor/htmx-ext-ws/ws.min.js"] in static
        assert "/static/" + manifest["favicon.svg"] in static


# Issue 21: our own scripts back to minimal, counted as written (comments included): 59,101
# bytes before, 35,999 now. Issue 21 asks for 30,000, not reached yet (docs/javascript.md
# says where the rest can go); what is reached may not grow. Issue 23's keyboard map added
# 1,106 bytes net (`?` and Esc on every page in live.js, a card's keys and popup in board.js;
# compose.js shares live.js's inField), a filtered board refetching its kanban 252
# (board.js), due states in the reader's zone 549 (local_time.js), a card's popup opened
# once htmx has processed its form 118, the focus on the Undo of a card archived with `e`
# 119 (board.js): 35,858 → 38,002. Issue 24's Ctrl+K focusing the navigation's search box
# (live.js) 134, live task chips 367 (live.js: a chip frame
# replaces the older copies of a task's chips; an oob swap by selector would log
# htmx:oobErrorNoTarget on every page of the board without that chip): 38,503. A column's
# rename renaming it on chips (one small frame, not a chip per task) 173: 38,676. A page's
# chips asked for again in one request when its socket (re)opens (a change may have come
# unseen), and a chip's own late answer older than a frame's replaced by it 751: 39,427.
SCRIPT_REACHED = 39_427


def script_sizes() -> dict[str, int]:
    return {path.name: path.stat().st_size for path in (STATIC / "js").glob("*.js")}


def test_our_scripts_do_not_grow_past_what_was_reached():
    assert sum(script_sizes().values()) <= SCRIPT_REACHED, script_sizes()


def test_each_page_loads_only_the_scripts_it_needs(app, chat_room, board_with_task_in):
    task_id = board_with_task_in
    with app.app_context():
        board_id = db.session.get(ChatRoom, chat_room).board_id
        db.session.remove()
    anonymous, alice = app.test_client(), as_user(app, "alice").http
    every = ["live", "local_time", "unread", "people"]
    for client, url, wanted in (
        (anonymous, "/login", []),
        (anonymous, "/register", []),
        (alice, "/boards", every),
        (alice, f"/boards/{board_id}", every + ["board"]),
        (alice, f"/tasks/{task_id}", every + ["compose", "reactions"]),
        (alice, f"/rooms/{chat_room}", every + ["room", "compose", "reactions"]),
        (alice, "/notifications", every + ["notification_groups"]),
    ):
        html = client.get(url).get_data(as_text=True)
        loaded = re.findall(r'src="/static/js/(\w+)\.[0-9a-f]{12}\.js"', html)
        assert loaded == wanted, url
        body = re.search(r"<body[^>]*>", html).group(0)
        assert (f'data-js="{" ".join(wanted)}"' in body) == bool(wanted), url


def test_templates_and_code_name_static_files_only_through_url_for():
    """A literal /static/ path would bypass the fingerprint (and its year of caching)."""
    literal = re.compile(r"""["'(]/static/""")
    for folder, pattern in ((ROOT / "templates", "*.html"), (ROOT / "taskflow", "*.py")):
        for path in folder.rglob(pattern):
            assert not literal.search(path.read_text()), path
    for path in (STATIC / "js").rglob("*.js"):
        assert "/static/" not in path.read_text(), path
    named = re.compile(r"url_for\('static', filename='([^']+)'\)")
    for path in (ROOT / "templates").rglob("*.html"):
        for name in named.findall(path.read_text()):
            assert (STATIC / name).is_file(), (path, name)


def test_our_scripts_and_sheets_are_served_minified_vendored_ones_as_they_are(app):
    built = app.extensions["assets"]
    for name, hashed in built.manifest.items():
        source, served = (STATIC / name).read_bytes(), (built.files / hashed).read_bytes()
        if name.startswith(("js/", "css/")) and name.endswith((".js", ".css")):
            assert len(served) < len(source) * 0.9, name
            assert b"/*" not in served, name
        elif not name.endswith(".css"):
            assert served == source, name
    nested = "const a = `x ${b ? `y` : 'z'}`;\n// a comment\n"
    assert assets.minified("js/nested.js", nested.encode()).decode() == nested


def test_a_minified_sheet_means_what_its_source_means(browser):
    """Chromium parses each of our sheets and its minified copy to the same rules."""
    page = browser.new_page()
    try:
        for path in sorted((STATIC / "css").rglob("*.css")):
            source = path.read_text()
            rules = []
            for sheet in (source, assets.minified("css/x.css", source.encode()).decode()):
                page.set_content("<style></style>")
                page.locator("style").evaluate(SET_TEXT, sheet)
                # Custom properties keep their text as written: spaces after commas differ.
                rules.append([re.sub(r"\s*,\s*", ",", r) for r in page.evaluate(CSS_RULES)])
            assert len(rules[0]) > 10 and rules[0] == rules[1], path
    finally:
        page.close()


SET_TEXT = "(node, text) => { node.textContent = text; }"
CSS_RULES = "() => [...document.styleSheets[0].cssRules].map((rule) => rule.cssText)"


def test_the_ws_extension_is_minified_with_its_licence():
    folder = STATIC / "vendor/htmx-ext-ws"
    minified, source = (folder / "ws.min.js").read_bytes(), (folder / "ws.js").read_bytes()
    assert len(minified) < len(source) / 2
    assert b'htmx.defineExtension("ws"' in minified
    assert (folder / "LICENSE").read_text().startswith("BSD Zero Clause License")
    assert "ws.min.js" in (STATIC / "vendor/README").read_text()
    base = (ROOT / "templates/base.html").read_text()
    assert "htmx-ext-ws/ws.min.js" in base and "htmx-ext-ws/ws.js" not in base


def test_favicon(client):
    icon = get(client, "/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/x-icon"
    assert icon.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    html = get(client, "/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    svg = get(client, link.group(1), BR)
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Cache-Control"] == IMMUTABLE
    assert b'fill="#3454d1"' in decoded(svg)  # the brand's accent (app.css --accent)


# --- the build ---------------------------------------------------------------------------


def _build(static: str, builds: str, queue) -> None:
    queue.put(assets.build(Path(static), Path(builds)).manifest)


def test_processes_starting_together_build_once_and_whole(tmp_path):
    static, builds = tmp_path / "static", tmp_path / "builds"
    shutil.copytree(STATIC, static)
    (static / "js/card_keys.js").write_text("// a file nobody listed\n" + "let a = 1;\n" * 100)
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as gunicorn's workers
    queue = context.Queue()
    processes = [context.Process(target=_build, args=(static, builds, queue)) for _ in range(4)]
    for process in processes:
        process.start()
    manifests = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert all(m == manifests[0] for m in manifests)
    assert "js/card_keys.js" in manifests[0]
    [folder] = [p for p in builds.iterdir() if p.is_dir()]  # one build, no temporary left
    files = folder / "files"
    hashed = files / manifests[0]["js/card_keys.js"]
    assert hashed.read_bytes() == assets.minified(
        "js/card_keys.js", (static / "js/card_keys.js").read_bytes()
    )
    assert brotli.decompress((files / (manifests[0]["js/card_keys.js"] + ".br")).read_bytes())
    inode = hashed.stat().st_ino

    # Nothing changed: found, not built again.
    again = assets.build(static, builds)
    assert (
        again.folder == folder and (files / manifests[0]["js/card_keys.js"]).stat().st_ino == inode
    )

    # A changed file: a new fingerprint for it, the others' unchanged.
    (static / "js/card_keys.js").write_text("let b = 2;\n" * 100)
    changed = assets.build(static, builds)
    assert changed.folder != folder
    assert changed.manifest["js/card_keys.js"] != manifests[0]["js/card_keys.js"]
    assert changed.manifest["js/live.js"] == manifests[0]["js/live.js"]


def test_a_sheet_names_the_fingerprinted_files_it_uses(tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "img").mkdir()
    (static / "img/dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (static / "css/app.css").write_text(
        'a{background:url("../img/dot.svg")} b{background:url(data:image/png;base64,AA==)}'
        " i{background:url(../img/missing.png)}"
    )
    built = assets.build(static, tmp_path / "builds")
    sheet = (built.files / built.manifest["css/app.css"]).read_text()
    hashed = built.manifest["img/dot.svg"].split("/")[-1]
    assert f'url("../img/{hashed}")' in sheet
    assert "url(data:image/png;base64,AA==)" in sheet and "url(../img/missing.png)" in sheet


# --- pages -------------------------------------------------------------------------------


def test_pages_and_fragments_are_compressed_and_keep_their_headers(app, chat_room):
    alice = as_user(app, "alice")
    for url, htmx in ((f"/rooms/{chat_room}", False), ("/boards", False), ("/boards", True)):
        plain = alice.get(url, htmx=htmx)
        assert "Content-Encoding" not in plain.headers  # asked for nothing: sent as it is
        for accept, encoding in ((BROWSER_ENCODINGS, "br"), (GZIP, "gzip")):
            response = get(alice, url, accept, htmx=htmx)
            assert response.status_code == 200
            assert response.headers["Content-Encoding"] == encoding, url
            assert "Accept-Encoding" in response.headers["Vary"]
            assert len(response.get_data()) < len(plain.get_data()) / 2
            # security.py's headers survive
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert response.headers["Cache-Control"] == "no-store"
            assert response.headers["X-Frame-Options"] == "DENY"
            body = decoded(response).decode()
            assert "general" in body or "Launch" in body
    tiny = get(alice, "/healthz", BROWSER_ENCODINGS)
    assert "Content-Encoding" not in tiny.headers


def test_the_viewer_sheet_is_cached_privately_at_its_versioned_url(login):
    alice = login("alice")
    html = alice.get("/boards").get_data(as_text=True)
    url = re.search(r'href="(/viewer\.css\?v=[^"]+)"', html).group(1).replace("&amp;", "&")
    sheet = get(alice, url, BROWSER_ENCODINGS)
    assert sheet.status_code == 200
    assert sheet.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert alice.get("/viewer.css?v=1").headers["Cache-Control"] == "private, max-age=3600"


# --- in Chromium -------------------------------------------------------------------------


class Wire:
    """What one page fetches over HTTP, from Chromium's own network events (CDP): each
    request, whether the cache answered it, and its bytes on the wire (headers and the
    encoded body)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.requests: dict[str, str] = {}
        self.from_cache: set[str] = set()
        self.bytes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.requests[event["requestId"]] = event["request"]["url"]

    def _cached(self, event) -> None:
        self.from_cache.add(event["requestId"])

    def _received(self, event) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.from_cache.add(event["requestId"])

    def _finished(self, event) -> None:
        self.bytes[event["requestId"]] = event["encodedDataLength"]

    def clear(self) -> None:
        self.requests.clear(), self.from_cache.clear(), self.bytes.clear()

    def to_server(self) -> list[str]:
        return [url for rid, url in self.requests.items() if rid not in self.from_cache]

    def sizes(self) -> dict[str, int]:
        """Bytes on the wire of each request that reached the server."""
        return {
            url: self.bytes[rid] for rid, url in self.requests.items() if rid not in self.from_cache
        }

    def total(self) -> int:
        return sum(self.sizes().values())


def open_live_room(page, room_id: int) -> None:
    page.goto(f"/rooms/{room_id}")
    expect(page.locator("#room-members li.online")).not_to_have_count(0)
    expect_socket_open(page)


@pytest.mark.parametrize("scheme", ["light"])
def test_a_cold_room_page_is_small_and_a_warm_one_a_single_request(
    new_page, chat_room, scheme, record_property
):
    page = new_page()
    errors = []
    page.on(
        "pageerror", lambda error: errors.append(error)
    )  # a script broken by its minification would show here
    page.emulate_media(color_scheme=scheme)
    browser_login(page, "alice")
    wire = Wire(page)
    wire.cdp.send("Network.clearBrowserCache")  # the login page filled it: cold again

    wire.clear()
    open_live_room(page, chat_room)
    expect(page).to_have_title(re.compile("general"))
    cold = wire.total()
    fetched = wire.to_server()
    assert all(rid in wire.bytes for rid in wire.requests), "every request finished"
    assert any("/static/vendor/htmx/htmx." in url for url in fetched)
    record_property("cold_room_page_bytes", cold)
    print(f"cold room page: {cold} bytes in {len(fetched)} requests: {wire.sizes()}")
    assert cold <= COLD_ROOM_PAGE_LIMIT, wire.sizes()

    # Warm: to the board's rooms, and back to the room by its link.
    page.get_by_role("link", name="All rooms").click()
    page.wait_for_url("**/boards/*/rooms")
    expect_socket_open(page)
    wire.clear()
    page.get_by_role("link", name="#general").first.click()
    page.wait_for_url(f"**/rooms/{chat_room}")
    expect(page.locator("#room-members li.online")).not_to_have_count(0)
    expect_socket_open(page)
    warm = wire.to_server()
    print(f"warm room page: {wire.total()} bytes, requests to the server: {warm}")
    assert warm == [page.url], warm
    assert len(wire.requests) >= 10  # the assets were asked for, and the cache answered

    # The same by goto, as typing the address.
    wire.clear()
    open_live_room(page, chat_room)
    assert wire.to_server() == [page.url]
    assert errors == []
