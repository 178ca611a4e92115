"""Markdown for what people write (chat messages, comments, task descriptions), safely.

A chat subset, as Campfire or Zulip keep it: emphasis, inline code and code blocks, links
(bare http(s) URLs and e-mail addresses become links), lists and block quotes; newlines are
line breaks. No headings, rules, images, tables or raw HTML. markdown-it-py renders it with
raw HTML off and only those rules enabled; nh3 then keeps only the tags and attributes this
subset produces, and only http, https and mailto links, each with rel="nofollow noopener".
Two independent layers: markdown-it never writes a tag the text asked for, and whatever it
writes passes an allow-list.

@mentions are found in text only, not inside code or links, and only of the users the text
was saved as mentioning: the same span the plain renderer wrote (viewer.css marks the
viewer's own). The HTML is the same for every viewer.

Every render's work is bounded, whatever the text: markdown-it-py is pure Python and some of
its rules scan far for each character (a link label to its closing bracket, a bare URL back to
its scheme), so a text dense in markup cost up to a second and a half at 10,000 characters.
Before it parses, the text's cost is estimated from its markup characters and lines
(`cost`, one C-speed pass). Markdown renders the text's whole blocks (up to a blank line
outside a code fence) while their cost stays within `BUDGET`; whatever follows is shown as
typed (its paragraphs and line breaks, escaped, mentions marked), which costs next to nothing.
Ordinary Markdown stays below the budget and renders exactly as before; a long document dense
in markup keeps its first part formatted; a pathological run (no document) is text.

Rendered HTML is never stored: callers render once per message and process (the chat's
fragment cache), or through `cached`, keyed by the text itself, so a fix here reaches every
old text at the next restart."""

import re
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

from taskflow.task_refs import (  # noqa: F401 (Refs, CHIPS_PER_TEXT: markup's API too)
    CHIPS_PER_TEXT,
    PLACED,
    PLACEHOLDERS,
    Refs,
    marker,
    render_task_ref,
    task_refs_rule,
    text_token,
)

# "@name": not after a word character or another "@" (an e-mail address is no mention).
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{3,30})")


class Mentionable(Protocol):
    id: int
    username: str
    username_key: str


def resolve_mention(word: str, by_key: dict[str, Mentionable]) -> Mentionable | None:
    """The user "@word" names among `by_key` (username keys), if any. "@bob." ends a
    sentence: try the word, then without trailing dots and dashes."""
    return by_key.get(word.lower()) or by_key.get(word.rstrip(".-").lower())


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable("linkify")
    md.disable(["heading", "lheading", "hr", "html_block", "html_inline", "image"])
    # Only URLs with a scheme (and e-mail addresses): "app.js" or "notes.md" stay text.
    md.linkify.set({"fuzzy_link": False})
    md.linkify.add("ftp:", None)
    md.linkify.add("//", None)
    md.inline.ruler.at("linkify", _linkify)
    md.linkify.pretest = _may_hold_link
    md.core.ruler.push("mentions", _mentions)
    md.core.ruler.push("task_refs", task_refs_rule)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("task_ref", render_task_ref)
    return md


# What markdown-it-py spends on a text, in microseconds of one core, as measured for each
# mark (bench/markdown.py; CPU time, rounded up): a character at which the inline parser stops
# its plain-text run and tries every rule; a line, which every block rule examines; a list or
# quote marker, which opens blocks; "[", whose label is scanned ahead to its closing bracket,
# nested up to 20 deep; "://" and "<", a URL parsed, normalized and checked by pure-Python URL
# code; "*" and "_", delimiters scanned and paired; "`", a code span scanned ahead.
_TERMINATORS = re.compile(r"[\n!#$%&*+\-:<=>@\[\\\]^_`{}~]")
_PER_CHARACTER = 1 / 8
_PER_TERMINATOR = 3
_PER_MARK = {"\n": 12, "[": 30, "://": 60, "<": 4, "*": 8, "_": 8, "`": 4, "&": 10, "@": 80}
_PER_MARKER = 20
_MARKER = re.compile(r"(?:^|(?<=\s))(?:[-+*>]|\d{1,9}[.)])(?=\s|$)", re.MULTILINE)

# The CPU one text may spend on Markdown, in microseconds: a few milliseconds, so that a page
# of the longest texts stays quick (the costliest text within it renders in about 10 ms), and
# room for a 40-item list or 40 links. What lies beyond it is shown as typed (see _plain).
BUDGET = 8_000


def cost(text: str) -> int:
    """An upper estimate of what markdown-it-py spends on `text`, in microseconds of CPU
    (see _PER_MARK): counted at C speed, linear in its length whatever it holds."""
    total = int(_PER_CHARACTER * len(text))
    total += _PER_TERMINATOR * len(_TERMINATORS.findall(text))
    total += sum(weight * text.count(mark) for mark, weight in _PER_MARK.items())
    return total + _PER_MARKER * len(_MARKER.findall(text))


def parsed(text: str) -> bool:
    """Whether all of `text` is parsed as Markdown: its cost is within BUDGET."""
    return cost(text) <= BUDGET


_BLANK_LINE = re.compile(r"\n[ \t]*\n")  # where a top-level block may end
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)


def within_budget(text: str) -> tuple[str, str]:
    """`text` split in two: the longest run of its whole blocks whose cost is within BUDGET,
    parsed as Markdown, and the rest, shown as typed. A block ends at a blank line outside a
    code fence; every piece's cost is counted once, so the split is linear too."""
    if parsed(text):
        return text, ""
    spent, start, head_end, fenced = 0, 0, 0, False
    for blank in _BLANK_LINE.finditer(text):
        piece = text[start : blank.end()]  # with its blank line: the sum bounds the head's cost
        spent += cost(piece)
        if spent > BUDGET:
            break
        fenced ^= len(_FENCE.findall(piece)) % 2 == 1
        if not fenced:
            head_end = blank.start()
        start = blank.end()
    return text[:head_end], text[head_end:].strip()


_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def _plain(text: str, by_key: dict[str, Mentionable], paragraphs: bool = False) -> str:
    """`text` as typed, in HTML: its paragraphs (split at blank lines) and line breaks, its
    mentions marked (as render_markdown marks them), all else escaped; string operations at
    C speed, whatever the text. Escaping changes no mention nor what tells one (a word
    character or "@" before it)."""

    def mention(match: re.Match) -> str:
        user = resolve_mention(match.group(1), by_key)
        if user is None:
            return match.group(0)
        end = 1 + len(user.username)
        return _mention_html(user.id, match.group(0)[:end]) + match.group(0)[end:]

    parts = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        html = _LINE_BREAK.sub("<br>\n", str(escape(paragraph)))
        parts.append(MENTION.sub(mention, html) if by_key else html)
    if len(parts) == 1 and not paragraphs:
        return parts[0]  # one paragraph: its text alone, as render_markdown has it
    return "".join(f"<p>{html}</p>\n" for html in parts)


# A URL scheme ends where the bare URL's "://" starts (RFC 3986: a letter, then letters,
# digits, "+", "-" and "."); linkify-it knows no scheme longer than this.
_SCHEME = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)
_SCHEME_TAIL = 64


def _linkify(state: StateInline, silent: bool) -> bool:
    """markdown-it-py's inline linkify rule, looking back for the scheme in the last
    _SCHEME_TAIL characters of the pending text instead of all of it: the regex, anchored at
    the end, tried every start in the paragraph's text so far at each "://" (quadratic)."""
    pos = state.pos
    if state.linkLevel > 0 or pos + 3 > state.posMax or state.src[pos : pos + 3] != "://":
        return False
    match = _SCHEME.search(state.pending[-_SCHEME_TAIL:])
    if not match:
        return False
    proto = match.group(1)
    link = state.md.linkify.match_at_start(state.src[pos - len(proto) :])
    if not link:
        return False
    url = link.url.rstrip("*")  # no "*" at the end: it is emphasis
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup, token.info = "linkify", "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    state.pos += len(url) - len(proto)
    return True


# The schemes linkify-it knows here (its defaults; ftp: and // are added back in _parser).
_SCHEMES = re.compile(r"https?:|ftp:|mailto:|//", re.IGNORECASE)


def _may_hold_link(text: str) -> bool:
    """linkify-it's pretest for these settings: a scheme or an "@" (an e-mail address). Its
    own tries a fuzzy host pattern and a Unicode class before each scheme, which cost about
    a millisecond a thousand characters of prose; fuzzy links are off, and no scheme
    matches where its name is absent."""
    return "@" in text or _SCHEMES.search(text) is not None


def _mentions(state: StateCore) -> None:
    """Turn "@name" in text (outside links; code is not text) into mention tokens, for the
    users in env["mentioned"] only."""
    by_key = state.env.get("mentioned")
    if not by_key:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type == "text" and not in_link and "@" in token.content:
                children += _split_mentions(token, by_key)
            else:
                children.append(token)
        block.children = children


def _split_mentions(token: Token, by_key: dict[str, Mentionable]) -> list[Token]:
    text, parts, last = token.content, [], 0
    for match in MENTION.finditer(text):
        user = resolve_mention(match.group(1), by_key)
        if user is None:
            continue
        end = match.start() + 1 + len(user.username)
        if last < match.start():
            parts.append(text_token(text[last : match.start()], token))
        mention = Token("mention", "span", 0, content=text[match.start() : end])
        mention.meta = {"user_id": user.id}
        parts.append(mention)
        last = end
    if not parts:
        return [token]
    if last < len(text):
        parts.append(text_token(text[last:], token))
    return parts


def mentionable_text(text: str) -> list[str]:
    """The runs of `text` that may mention someone: its text outside code and links, as
    render_markdown marks them (notifications go to exactly the people shown mentioned)."""
    head, tail = within_budget(text)
    runs: list[str] = [tail] if tail else []  # shown as typed (_plain): all of it is text
    for block in _MD.parse(head, {}) if head else ():
        in_link = 0
        for token in block.children or ():
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and not in_link:
                runs.append(token.content)
    return runs


def _render_mention(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    return _mention_html(int(token.meta["user_id"]), token.content)


def _mention_html(user_id: int, content: str) -> str:
    return f'<span class="mention" data-user-id="{user_id}">{escape(content)}</span>'


_MD = _parser()

_CLEANER = nh3.Cleaner(
    tags={"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "span"},
    # "*": no attribute on every tag (nh3 would allow lang and title by default).
    attributes={"*": set(), "a": {"href"}, "ol": {"start"}, "span": {"data-user-id"}},
    allowed_classes={"span": {"mention"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener",
    strip_comments=True,
)


def render_markdown(
    text: str, mentioned_users: Iterable[Mentionable] = (), refs: Refs | None = None
) -> Markup:
    """`text` as safe HTML: the Markdown subset, sanitized, with the mentions of
    `mentioned_users` (those the text was saved as mentioning) marked, and with `refs` its
    task references as markers (see Refs)."""
    if not text:
        return Markup("")
    if refs is not None:
        text = PLACEHOLDERS.sub("", text)
    env = {"mentioned": {u.username_key: u for u in mentioned_users}, "refs": refs}
    head, tail = within_budget(text)
    if not head:
        # No sanitizer pass: every character of the text is escaped, and the only tags are
        # _plain's own (nh3 would spend 2 ms a thousand lines re-reading them).
        return Markup(_plain(text, env["mentioned"]))
    tokens = _MD.parse(head, env)
    if not tail and [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        tokens = tokens[1:2]  # one paragraph (most messages): its text alone, no <p>
    html = _CLEANER.clean(_MD.renderer.render(tokens, _MD.options, env))
    if refs is not None:
        html = PLACED.sub(marker, html)
    if tail:
        html += _plain(tail, env["mentioned"], paragraphs=True)
    return Markup(html)


CACHE_SIZE = 4_000
_cache: OrderedDict[tuple, Markup] = OrderedDict()


def cached(
    text: str, mentioned_users: Iterable[Mentionable] = (), refs: Refs | None = None
) -> Markup:
    """render_markdown, once per process and distinct text (with its mentions and what its
    task references point into): for pages that list the same texts on every view (a task's
    description and comments). The key is the text itself, so an edit is a new entry and
    nothing is ever stale."""
    users = tuple(mentioned_users)
    where = (refs.board_id, refs.hosts) if refs is not None else None
    key = (text, tuple((u.id, u.username_key, u.username) for u in users), where)
    html = _cache.get(key)
    if html is None:
        html = _cache[key] = render_markdown(text, users, refs)
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return html


EXCERPT = 100  # characters of a quoted message


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The first `limit` characters of what `text` reads as (its Markdown's text, without
    the syntax), on one line, for a reply's quote."""
    head, tail = within_budget(text)
    if not head:
        return _shortened(" ".join(text.split()), limit)
    words: list[str] = []
    for block in _MD.parse(head, {}):
        if block.type in ("fence", "code_block"):
            words.append(block.content)
        for token in block.children or ():
            if token.type in ("text", "code_inline"):
                words.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                words.append(" ")
        words.append(" ")
    words.append(tail)
    return _shortened(" ".join("".join(words).split()), limit)


def _shortened(plain: str, limit: int) -> str:
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"
