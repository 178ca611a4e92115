"""Live task chips (issue 24): "#42" or a task's URL in a message, a comment or a
description shows that task as a chip (its number, title, column, assignee and due state),
to readers of its board only.

What people write is rendered once for every reader and cached (chat/render.py,
markup.cached), so it cannot hold a task's state nor who may read it: markup.py leaves a
*marker* there (`class="task-ref"`, naming a task id or a board and number). Each reader's
copy is filled here:

- a page (`fill`): every marker of the page in one query, which finds only tasks of boards
  the reader is a member of; a marker whose task it does not find stays the text as typed
  (a URL stays a link to it), so a non-member learns nothing, not even that it exists;
- a live copy (a message, a comment or a task's detail as a socket sends it, the same for
  every reader): its "#42" markers are filled once (`shared`), in UTC, since every reader of
  a board's room or task page is on that board; a task URL's marker (possibly another
  board's task) loads its chip per reader (`hx-get`: boards/task_chips.py answers it or 204);
- a (re)connecting page asks for all its chips at once (`/chips?ids=`), so a change made
  while its socket was away is not missed;
- a change (`frame`): a change of a task publishes its chip once, labelled with its board's
  version, to the board's chip topic, which the room and task pages of its members follow;
  live.js replaces only older copies (a chip never goes backwards).

The chip's version is its board's (Board.version, read in the same statement as the task):
every change of a task is a change of its board, so a later state always has a higher one."""

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import Markup
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Column, Membership, Task, User
from taskflow.task_refs import Refs

# A marker as task_refs.marker writes it: its tag, its key ("5": a task id; "3.42": board 3's
# number 42) and what the text said there.
MARKER = re.compile(
    r'<(a|span) class="task-ref"(?: href="[^"]*")? data-ref="(\d+(?:\.\d+)?)"[^>]*>(.*?)</\1>',
    re.DOTALL,
)
TEMPLATE = "_chip.html"


@dataclass
class Chip:
    task: Task
    column: str
    board_id: int
    version: int


def refs(board_id: int | None) -> Refs:
    """What a text of this board may reference (a template global): its numbers, and task
    URLs of the app's configured hosts (never the request's Host: a client chooses it, and
    the rendering is cached for every reader)."""
    return Refs(board_id, hosts())


def hosts() -> list[str]:
    """PUBLIC_HOSTS (comma-separated); unset: PUBLIC_ORIGIN's host, localhost, 127.0.0.1."""
    configured = current_app.config.get("PUBLIC_HOSTS", "")
    if configured.strip():
        return [host.strip() for host in configured.split(",") if host.strip()]
    origin = urlsplit(current_app.config.get("PUBLIC_ORIGIN", "")).hostname
    return ["localhost", "127.0.0.1"] + ([origin] if origin else [])


def message_refs(message) -> Refs:
    """refs() of a chat message's room (a template global). A message just posted is not in
    the session (chat.service._insert): its room's board is read by id."""
    room = message.room
    if room is not None:
        return refs(room.board_id)
    return refs(db.session.scalar(select(ChatRoom.board_id).where(ChatRoom.id == message.room_id)))


def load(keys: set[str], user: User | None) -> dict[str, Chip]:
    """The chips of these marker keys that `user` may read (a member of the task's board),
    by key: one query. `user` None: every reader of the page is a member of the keys'
    board (shared)."""
    ids, numbers = set(), defaultdict(set)
    for key in keys:
        if "." in key:
            board_id, number = key.split(".")
            numbers[int(board_id)].add(int(number))
        else:
            ids.add(int(key))
    if not keys or (user is not None and not user.is_authenticated):
        return {}
    wanted = [Task.id.in_(ids)] if ids else []
    wanted += [and_(Column.board_id == b, Task.number.in_(n)) for b, n in numbers.items()]
    query = (
        select(Task, Column.name, Column.board_id, Board.version)
        .join(Column, Task.column_id == Column.id)
        .join(Board, Board.id == Column.board_id)
        .where(or_(*wanted))
        .options(joinedload(Task.assignee))
    )
    if user is not None:
        membership = and_(Membership.board_id == Board.id, Membership.user_id == user.id)
        query = query.join(Membership, membership)
    found = {}
    for task, column, board_id, version in db.session.execute(query).unique():
        chip = Chip(task, column, board_id, version)
        found[str(task.id)] = found[f"{board_id}.{task.number}"] = chip
    return found


def html(chip: Chip, zone: str) -> Markup:
    """One chip as a reader sees it (its due state in `zone`)."""
    template = current_app.jinja_env.get_template(TEMPLATE)
    return Markup(template.render(chip=chip, zone=zone))


def fill(page: str, user: User, zone: str) -> Markup:
    """`page` with each marker filled with its chip for `user`, or left as the text as
    typed when they may not read it (one query for every marker of the page)."""
    keys = {match.group(2) for match in MARKER.finditer(page)}
    if not keys:
        return Markup(page)
    chips = load(keys, user)

    def filled(match: re.Match) -> str:
        chip = chips.get(match.group(2))
        return html(chip, zone) if chip is not None else plain(match)

    return Markup(MARKER.sub(filled, str(page)))


def shared(page: str) -> str:
    """A live copy (a message, a comment, a task's detail, a catch-up: one rendering for
    every reader of a board's room or task page) with its "#42" markers filled, in UTC
    (local_time.js shows the due state in the reader's zone): every such reader is a member
    of the text's board (access.readable_room, a task page's reader), so none of them sends
    a request for it. Task URLs (perhaps of another board) keep their per-reader load.
    A plain str, as fragments are: Markup + str would escape what is added to it."""
    keys = {m.group(2) for m in MARKER.finditer(page) if "." in m.group(2)}
    if not keys:
        return str(page)
    chips = load(keys, None)

    def filled(match: re.Match) -> str:
        if "." not in match.group(2):
            return match.group(0)
        chip = chips.get(match.group(2))
        return html(chip, "UTC") if chip is not None else plain(match)

    return MARKER.sub(filled, str(page))


def plain(match: re.Match) -> str:
    """A marker as the text said it: "#42", or the URL as a link (to the task's page)."""
    if match.group(1) == "span":
        return match.group(3)
    return f'<a href="/tasks/{match.group(2)}" rel="nofollow noopener">{match.group(3)}</a>'


def of_tasks(task_ids: set[int]) -> list[Chip]:
    """The chips of these tasks as every reader of their board sees them (one query): for
    a change's frame, inside its transaction."""
    query = (
        select(Task, Column.name, Column.board_id, Board.version)
        .join(Column, Task.column_id == Column.id)
        .join(Board, Board.id == Column.board_id)
        .where(Task.id.in_(task_ids))
        .options(joinedload(Task.assignee))
        .execution_options(populate_existing=True)
    )
    return [Chip(*row) for row in db.session.execute(query).unique()]


def frame(task_ids: set[int], columns: dict[int, str] | None = None, version: int = 0) -> str:
    """The chips of these tasks, changed, as one frame for every page that follows their
    board's chips (times in UTC: local_time.js shows the due state in the reader's zone);
    live.js swaps each in for older copies only. `columns`: columns renamed (at the board's
    `version`), by id: live.js renames them on older chips. "" when there is nothing."""
    chips = "".join(html(chip, "UTC") for chip in of_tasks(task_ids)) if task_ids else ""
    for column_id, name in (columns or {}).items():
        chips += str(
            Markup('<i data-column="{}" data-version="{}">{}</i>').format(column_id, version, name)
        )
    return f"<template data-chips>{chips}</template>" if chips else ""
