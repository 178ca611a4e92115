"""Static files and HTML served like a product's: small on the wire and cached by browsers.

Static files: at start-up every process (gunicorn workers, the RQ worker, the tests' apps)
builds, or finds already built, a copy of static/ in the instance folder in which each file
also exists under a name with its content's hash (`css/app.css` → `css/app.1a2b3c4d5e6f.css`)
and, where it is worth it, precompressed beside it (`.br`, `.gz`). WhiteNoise serves that copy
in front of Flask: the right encoding for the browser's Accept-Encoding (with Vary), a
fingerprinted name cached for a year as immutable, the plain name revalidated every time.
`url_for('static', filename=...)` gives the fingerprinted URL, so a page names files that
can never change and a warm page fetches none of them.

No build step by hand, and no list of files: the build covers whatever is under static/ when
the process starts. Its folder is named by a hash of every file's name and content, so a
start with nothing changed only reads and hashes static/ (a few hundred KB) and finds it; a
build is made in a temporary folder and renamed into place (a folder with its manifest is a
whole build), under a file lock so that processes starting together compress once.

HTML: pages and fragments are compressed per response (Flask-Compress: brotli or gzip as the
browser prefers), except WebSocket upgrades, streamed and tiny responses, and those already
encoded; the headers of security.py are untouched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import posixpath
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, Response, current_app, request
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

# Change when what a build contains or how it is named changes: the next start builds anew.
BUILD_FORMAT = b"taskflow-assets-2"
HASH_CHARS = 12
KEEP_BUILDS = 5  # builds of other versions kept for processes still running them
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # a plain name may change at any deploy: always asked again (304s)
FAVICON_MAX_AGE = "public, max-age=86400"
NESTED_TEMPLATE = re.compile(r"\$\{[^}`]*`")  # `a ${b ? `c` : d}`: left unminified
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


@dataclass(frozen=True)
class Build:
    """One built copy of static/: its folder and the fingerprinted name of each file."""

    folder: Path
    manifest: dict[str, str]  # "css/app.css" → "css/app.1a2b3c4d5e6f.css"
    fingerprinted: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprinted", frozenset(self.manifest.values()))

    @property
    def files(self) -> Path:
        return self.folder / "files"


def init_app(app: Flask) -> None:
    built = build(Path(app.static_folder), Path(app.instance_path) / "assets")
    app.extensions["assets"] = built

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in built.manifest:
            values["filename"] = built.manifest[values["filename"]]

    app.wsgi_app = static_server(app.wsgi_app, built, app.static_url_path)
    _compress_html(app)
    app.jinja_env.globals["viewer_css_version"] = viewer_css_version


# -- the build -----------------------------------------------------------------------------


def build(static: Path, builds: Path) -> Build:
    """The build of `static` under `builds`: found if one of the same files exists, else made
    (once, whichever process gets the lock first)."""
    files = _sources(static)
    key = hashlib.sha256(BUILD_FORMAT)
    for name, data in files.items():
        key.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    folder = builds / key.hexdigest()[:16]
    manifest = _found(folder)
    if manifest is None:
        builds.mkdir(parents=True, exist_ok=True)
        with _locked(builds / ".lock"):
            manifest = _found(folder)
            if manifest is None:
                manifest = _make(files, folder)
                _prune(builds, keep=folder)
    return Build(folder, manifest)


def _sources(static: Path) -> dict[str, bytes]:
    """Every file under static/ by its URL path; hidden files and stray compressed copies
    left out (WhiteNoise would take a .gz beside a file for its compressed variant)."""
    files = {}
    for path in sorted(static.rglob("*")):
        name = path.relative_to(static).as_posix()
        hidden = any(part.startswith(".") for part in name.split("/"))
        if path.is_file() and not hidden and not name.endswith((".gz", ".br")):
            files[name] = path.read_bytes()
    return files


def _found(folder: Path) -> dict[str, str] | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        os.utime(folder)  # used now: pruning keeps the builds used last
    except OSError:  # a read-only instance folder: the build was made at release
        pass
    return manifest


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even on a crash
        yield


def _make(files: dict[str, bytes], folder: Path) -> dict[str, str]:
    """Write the build into a temporary folder, then rename it into place: a build folder is
    whole or absent, whatever happens to this process on the way."""
    temporary = folder.with_name(f".tmp-{folder.name}-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    root = temporary / "files"
    compressor = Compressor(quiet=True)
    manifest: dict[str, str] = {}
    # Style sheets last: their url()s are rewritten to the fingerprinted names of the others.
    for name in sorted(files, key=lambda n: (n.endswith(".css"), n)):
        data = files[name]
        if name.endswith(".css"):
            data = _css_with_fingerprints(name, data, manifest)
        data = minified(name, data)
        hashed = fingerprint(name, data)
        manifest[name] = hashed
        target = root / hashed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written = [str(target)]
        if compressor.should_compress(name):
            written += compressor.compress(str(target))
        # The plain name is the same file (a hard link): one copy on disk, one compression.
        for path in written:
            plain = root / (name + path[len(str(target)) :])
            _link(Path(path), plain)
    (temporary / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    try:
        temporary.rename(folder)
    except OSError:  # made meanwhile by a process that did not lock (an older version)
        shutil.rmtree(temporary, ignore_errors=True)
        return json.loads((folder / "manifest.json").read_text())
    return manifest


def fingerprint(name: str, data: bytes) -> str:
    """`css/app.css` → `css/app.<first 12 hex digits of its SHA-256>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    folder, base = posixpath.split(name)
    stem, dot, extension = base.partition(".")
    hashed = f"{stem}.{digest}{dot}{extension}" if dot else f"{base}.{digest}"
    return posixpath.join(folder, hashed)


def minified(name: str, data: bytes) -> bytes:
    """Our own scripts and sheets without their comments and spaces (rJSmin, rCSSmin): the
    comments say why for the people who read static/, not for every browser. Vendored files
    come minified by their authors (or are not served to pages) and stay as they are; a
    script with a template literal nested in another, which rJSmin does not parse, too."""
    if name.startswith("vendor/") or ".min." in name:
        return data
    if name.endswith(".css"):
        return rcssmin.cssmin(data.decode()).encode()
    if name.endswith(".js") and not NESTED_TEMPLATE.search(data.decode()):
        return rjsmin.jsmin(data.decode()).encode()
    return data


def _css_with_fingerprints(name: str, data: bytes, manifest: dict[str, str]) -> bytes:
    """A style sheet whose url()s name files of static/ points at their fingerprinted names
    (so an image or a font it uses is cached like the sheet, and changes with it)."""
    folder = posixpath.dirname(name)

    def replace(match: re.Match) -> str:
        quote, url = match.group(1), match.group(2)
        if url.startswith(("data:", "#", "//")) or "://" in url or url.startswith("/"):
            return match.group(0)
        parts = re.split(r"([?#])", url, maxsplit=1)
        path, suffix = parts[0], "".join(parts[1:])
        target = posixpath.normpath(posixpath.join(folder, path))
        if target not in manifest:
            return match.group(0)
        hashed = posixpath.relpath(manifest[target], folder or ".")
        return f"url({quote}{hashed}{suffix}{quote})"

    return CSS_URL.sub(replace, data.decode()).encode()


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def _prune(builds: Path, keep: Path) -> None:
    """Remove all but the builds used last (and temporary folders of crashed builds)."""
    others = [p for p in builds.iterdir() if p.is_dir() and p != keep]
    done = sorted(
        (p for p in others if not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in done[KEEP_BUILDS - 1 :] + [p for p in others if p.name.startswith(".tmp-")]:
        shutil.rmtree(path, ignore_errors=True)


# -- serving -------------------------------------------------------------------------------


def static_server(application: Callable, built: Build, prefix: str) -> WhiteNoise:
    """WhiteNoise in front of the app: the build at `prefix`, and /favicon.ico."""
    prefix = prefix.rstrip("/") + "/"

    def headers(headers, _path: str, url: str) -> None:
        if url == "/favicon.ico":
            headers["Cache-Control"] = FAVICON_MAX_AGE
        elif url[len(prefix) :] in built.fingerprinted:
            headers["Cache-Control"] = IMMUTABLE
        else:
            headers["Cache-Control"] = REVALIDATE
        headers["X-Content-Type-Options"] = "nosniff"  # as security.py sets on every page

    server = WhiteNoise(
        application,
        root=str(built.files),
        prefix=prefix,
        max_age=None,  # Cache-Control comes from headers() above
        allow_all_origins=False,  # same-origin pages only; no CDN in front
        add_headers_function=headers,
    )
    favicon = built.files / "favicon.ico"
    if favicon.is_file():  # browsers ask for it where a page names no icon (a JSON, an image)
        server.files["/favicon.ico"] = server.get_static_file(str(favicon), "/favicon.ico")
    return server


def _compress_html(app: Flask) -> None:
    """Pages, fragments and the viewer's sheet, compressed per response by Flask-Compress.

    Flask-Compress rather than a hand-written hook: it parses Accept-Encoding with its
    q-values, keeps an ETag strong per encoding, merges Vary and handles the edge cases that
    a few lines of our own would get wrong; what it compresses is decided here."""
    for key, value in {
        # Static files come precompressed from WhiteNoise and never reach Flask.
        "COMPRESS_MIMETYPES": ["text/html", "text/css"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,  # about 1 ms for a room page, a third smaller than gzip
        "COMPRESS_MIN_SIZE": 500,  # below a packet, compression saves nothing
        "COMPRESS_STREAMS": False,
        "COMPRESS_REGISTER": False,  # registered below, behind our own conditions
        "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,  # pages are no-store: nothing to match
    }.items():
        app.config.setdefault(key, value)
    compress = Compress()
    compress.init_app(app)

    @app.after_request
    def _compressed(response: Response) -> Response:
        # A WebSocket's handshake (flask-sock answers after the socket ends) and a streamed
        # response (sent as it is made) keep their bytes as they are.
        if request.headers.get("Upgrade", "").lower() == "websocket" or response.is_streamed:
            return response
        return compress.after_request(response)


# -- the viewer's sheet --------------------------------------------------------------------


def viewer_css_version(user_id: int) -> str:
    """The `v` of /viewer.css: the user and the template's content, so that the sheet is
    cached for a year (privately) and a deploy that changes it gives it a new URL."""
    versions = current_app.extensions.setdefault("viewer_css_versions", {})
    if "template" not in versions:
        source, _, _ = current_app.jinja_loader.get_source(current_app.jinja_env, "viewer.css")
        versions["template"] = hashlib.sha256(source.encode()).hexdigest()[:HASH_CHARS]
    return f"{user_id}-{versions['template']}"
