"""Bring a board, take it away: a board's export as JSON (TaskFlow's format,
docs/export-format.md) or CSV, for any member; an import from a file (import_service), and its
status while the worker runs it.

The status page's fragment is polled by htmx every second while the import is pending (an
import has one reader, its importer: no socket or topic for it); without JavaScript the page
has a Refresh link."""

import re
import unicodedata
from collections.abc import Iterator

from flask import Blueprint, Response, redirect, request, stream_with_context, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from taskflow import errors
from taskflow.access import member_board, own
from taskflow.boards import board_format, import_service
from taskflow.boards.boards import boards_page, limited
from taskflow.boards.changes import Refused
from taskflow.boards.forms import BoardForm
from taskflow.boards.incoming import IMPORT_MAX_BYTES
from taskflow.htmx import page_or_fragment
from taskflow.models import Board, BoardImport

bp = Blueprint("transfer", __name__)


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, _values) -> None:
    """An import may be larger than any other request (MAX_CONTENT_LENGTH): set before the CSRF
    check, which reads the form ahead of every view (url_value_preprocessors run first)."""
    if endpoint == "transfer.import_board":
        request.max_content_length = IMPORT_MAX_BYTES + 64 * 1024  # the form's other parts


@bp.errorhandler(413)
def _too_big(_error):
    return errors.refusal(413, import_service.TOO_BIG)


@bp.get("/boards/<int:board_id>/export.json")
def export_json(board_id: int):
    board = member_board(board_id)
    chunks = board_format.json_chunks(board.id)
    return _download(chunks, "application/json", _filename(board, "json"))


@bp.get("/boards/<int:board_id>/export.csv")
def export_csv(board_id: int):
    board = member_board(board_id)
    return _download(board_format.csv_chunks(board.id), "text/csv", _filename(board, "csv"))


def _download(chunks: Iterator[str], mimetype: str, filename: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    # Streamed: the export is written as it is read (board_format reads a page at a time).
    return Response(stream_with_context(chunks), mimetype=mimetype, headers=headers)


def _filename(board: Board, extension: str) -> str:
    """taskflow-<name>-<id>.<ext> in plain ASCII letters, digits and dashes: nothing in it can
    close the header's quotes or name a path."""
    ascii_name = unicodedata.normalize("NFKD", board.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:50].strip("-")
    return f"taskflow-{slug or 'board'}-{board.id}.{extension}"


@bp.post("/boards/import")
@limited
def import_board():
    upload = request.files.get("file")
    raw = upload.read(IMPORT_MAX_BYTES + 1) if upload else b""
    try:
        record = import_service.queue_import(
            current_user, secure_filename(upload.filename or "") if upload else "", raw
        )
    except Refused as refusal:
        return boards_page(BoardForm(), refusal.status, import_error=refusal.reason)
    return redirect(url_for("transfer.status", import_id=record.id))


@bp.get("/imports/<int:import_id>")
def status(import_id: int):
    record = own(BoardImport, import_id, "user_id")
    return page_or_fragment(
        "boards/imports/show.html",
        "boards/imports/_status.html",
        record=record,
        progress=import_service.progress(record.id),
    )
