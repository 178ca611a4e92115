"""Task references in a text (issue 24): "#42" (a task number of the text's board) and a
bare URL of a task page on this app's host, found while markup.py renders the text and
written as markers that a reader's page fills with the task's chip (taskflow/chips.py)."""

import re
from collections.abc import Iterable

from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

# Task references (issue 24): "#42" (a task number of the text's board) and a bare URL of a
# task page on this host become a marker the reader's page fills with the task's chip
# (taskflow/chips.py), for readers of its board only. The marker is written after the
# sanitizer, from integers only: the tokens render as private-use placeholders (stripped
# from the text first, so a text cannot write one), replaced once nh3 has kept them as text.
# The marker is the same for every reader and for ever (it names a board and number or a
# task id, nothing of the task): a page fills it (one query for the page), a live copy has
# its "#42" filled once for all its readers (chips.shared) and a task URL's loaded per reader
# (hx-get), and a reader who may not read the task keeps the text as typed.
TASK_NUMBER = re.compile(r"(?<![\w#&/])#(\d{1,9})(?![\w#])")
TASK_PATH = re.compile(r"/tasks/(\d{1,18})/?")
CHIPS_PER_TEXT = 10  # markers a text may hold (a page's query stays bounded); then text
_REF_OPEN, _REF_MID, _REF_END = "\ue000", "\ue001", "\ue002"
PLACEHOLDERS = re.compile("[\ue000-\ue002]")
PLACED = re.compile("\ue000([nt])([\\d.]+)\ue001(.*?)\ue002", re.DOTALL)


class Refs:
    """What a text's task references point into: its board (None: a direct message, whose
    "#42" means nothing) and the hosts its task URLs may name (this app's)."""

    def __init__(self, board_id: int | None, hosts: Iterable[str] = ()) -> None:
        self.board_id, self.hosts = board_id, frozenset(h.lower() for h in hosts)

    def task_id(self, href: str) -> int | None:
        """The task a link's address names, if it is a task page of this app."""
        match = re.fullmatch(r"https?://([^/?#]+)(/[^?#]*)(?:#.*)?", href, re.IGNORECASE)
        # a host matches with or without its port (localhost:5000 is localhost's)
        host = match.group(1).lower() if match else ""
        if not match or (host not in self.hosts and re.sub(r":\d+$", "", host) not in self.hosts):
            return None
        path = TASK_PATH.fullmatch(match.group(2))
        return int(path.group(1)) if path else None


def task_refs_rule(state: StateCore) -> None:
    refs, count = state.env.get("refs"), 0
    if refs is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, tokens = [], block.children
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if count < CHIPS_PER_TEXT and token.type == "link_open" and token.info == "auto":
                task_id = refs.task_id(token.attrs.get("href", ""))
                if task_id is not None and i + 2 < len(tokens):
                    children.append(_ref("t", str(task_id), tokens[i + 1].content, token))
                    count, i = count + 1, i + 3
                    continue
            if token.type == "link_open":  # a link's text is the link's, not a reference
                end = next((j for j in range(i, len(tokens)) if tokens[j].type == "link_close"), i)
                children += tokens[i : end + 1]
                i = end + 1
                continue
            if token.type == "text" and refs.board_id and "#" in token.content:
                parts, count = _split_refs(token, refs.board_id, count)
                children += parts
            else:
                children.append(token)
            i += 1
        block.children = children


def _split_refs(token: Token, board_id: int, count: int) -> tuple[list[Token], int]:
    text, parts, last = token.content, [], 0
    for match in TASK_NUMBER.finditer(text):
        if count >= CHIPS_PER_TEXT:
            break
        if last < match.start():
            parts.append(text_token(text[last : match.start()], token))
        parts.append(_ref("n", f"{board_id}.{int(match.group(1))}", match.group(0), token))
        count, last = count + 1, match.end()
    if not parts:
        return [token], count
    if last < len(text):
        parts.append(text_token(text[last:], token))
    return parts, count


def plain_with_refs(text: str, refs: Refs) -> Markup:
    """`text` as plain text (escaped, no Markdown) with its "#42" as markers: a command's
    notice ("moved #42 Fix login to Done"), whose task shows as its chip to its readers."""
    html = str(escape(text))
    if not refs.board_id:
        return Markup(html)
    numbers = TASK_NUMBER.finditer(html)  # an entity's "&#39;" is not one: (?<!&)
    for match in reversed(list(numbers)[:CHIPS_PER_TEXT]):
        key = f"{refs.board_id}.{int(match.group(1))}"
        html = html[: match.start()] + _marker_html("n", key, match.group(0)) + html[match.end() :]
    return Markup(html)


def _ref(kind: str, key: str, shown: str, like: Token) -> Token:
    ref = Token("task_ref", "", 0, content=shown, level=like.level)
    ref.meta = {"kind": kind, "key": key}
    return ref


def render_task_ref(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    key = f"{token.meta['kind']}{token.meta['key']}"
    return f"{_REF_OPEN}{key}{_REF_MID}{escape(token.content)}{_REF_END}"


def marker(match: re.Match) -> str:
    """A placeholder left by render_task_ref as the marker pages fill (taskflow/chips.py)."""
    return _marker_html(*match.groups())


def task_marker(task_id: int, shown: str = "a task") -> Markup:
    """A marker of the task, for what names it outside a text (a message made a task)."""
    return Markup(_marker_html("t", str(int(task_id)), str(escape(shown))))


def _marker_html(kind: str, key: str, shown: str) -> str:
    """A task URL stays a link to the task, "#42" stays text; a URL's loads its chip when a
    live copy is added to a page (hx-get, per reader: perhaps another board's task).
    `shown` is escaped HTML."""
    load = 'hx-trigger="load" hx-swap="outerHTML"'
    if kind == "t":
        return (
            f'<a class="task-ref" href="/tasks/{key}" data-ref="{key}"'
            f' hx-get="/tasks/{key}/chip" {load}>{shown}</a>'
        )
    # "#42" loads nothing: its text's board is the room's or the task's, whose live copies
    # every reader of is a member of, so they come filled (chips.shared)
    return f'<span class="task-ref" data-ref="{key}">{shown}</span>'


def text_token(content: str, like: Token) -> Token:
    return Token("text", "", 0, content=content, level=like.level)
