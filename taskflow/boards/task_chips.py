"""A task's chip for one reader (taskflow/chips.py): what a live copy of a message, comment
or description loads for each of its task-URL markers (`hx-get`, then swapped in its place;
a "#42" comes filled in the shared copy, its readers all being on its board), and the
chips a (re)connecting page asks for at once. A
reader who may not read the task (not on its board), or a task that is not there, gets 204
and keeps the text as typed: the same answer, so nothing is learnt of what exists."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from taskflow import chips, security
from taskflow.timezones import viewer_zone

bp = Blueprint("chips", __name__)


@bp.get("/tasks/<int:task_id>/chip")
@login_required
def by_id(task_id: int):
    return _chip(str(task_id))


PAGE_CHIPS = 50  # chips a page asks for at once (live.js: its first 50)


@bp.get("/chips")
@login_required
def of_page():
    """The chips a page shows (`?ids=1,2,3`, task ids), as they are now, in one frame that
    live.js applies to older copies only: what a (re)connecting page asks for, since a
    change that came before its socket followed the board's chips was not sent to it."""
    words = request.args.get("ids", "")[:1000].split(",")[:PAGE_CHIPS]
    keys = {str(int(w)) for w in words if w.isdigit() and len(w) <= 18}
    if not security.may_load_chips(current_user.id):
        return "", 429
    found = chips.load(keys, current_user)
    shown = {key: found[key] for key in keys if key in found}
    if not shown:
        return "", 204
    html = "".join(chips.html(chip, viewer_zone()) for chip in shown.values())
    return f"<template data-chips>{html}</template>"


def _chip(key: str):
    if not security.may_load_chips(current_user.id):
        return "", 429  # the marker stays the text as typed
    chip = chips.load({key}, current_user).get(key)
    if chip is None:
        return "", 204
    return chips.html(chip, viewer_zone())
