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
from markdown_it.token import Token
from markupsafe import Markup, escape

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
    md.core.ruler.push("mentions", _mentions)
    md.add_render_rule("mention", _render_mention)
    return md


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
            parts.append(_text(text[last : match.start()], token))
        mention = Token("mention", "span", 0, content=text[match.start() : end])
        mention.meta = {"user_id": user.id}
        parts.append(mention)
        last = end
    if not parts:
        return [token]
    if last < len(text):
        parts.append(_text(text[last:], token))
    return parts


def _text(content: str, like: Token) -> Token:
    return Token("text", "", 0, content=content, level=like.level)


def mentionable_text(text: str) -> list[str]:
    """The runs of `text` that may mention someone: its text outside code and links, as
    render_markdown marks them (notifications go to exactly the people shown mentioned)."""
    runs: list[str] = []
    for block in _MD.parse(text, {}):
        in_link = 0
        for token in block.children or ():
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and not in_link:
                runs.append(token.content)
    return runs


def _render_mention(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    user_id = int(token.meta["user_id"])
    return f'<span class="mention" data-user-id="{user_id}">{escape(token.content)}</span>'


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


def render_markdown(text: str, mentioned_users: Iterable[Mentionable] = ()) -> Markup:
    """`text` as safe HTML: the Markdown subset, sanitized, with the mentions of
    `mentioned_users` (those the text was saved as mentioning) marked."""
    if not text:
        return Markup("")
    env = {"mentioned": {u.username_key: u for u in mentioned_users}}
    tokens = _MD.parse(text, env)
    if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        tokens = tokens[1:2]  # one paragraph (most messages): its text alone, no <p>
    return Markup(_CLEANER.clean(_MD.renderer.render(tokens, _MD.options, env)))


CACHE_SIZE = 4_000
_cache: OrderedDict[tuple, Markup] = OrderedDict()


def cached(text: str, mentioned_users: Iterable[Mentionable] = ()) -> Markup:
    """render_markdown, once per process and distinct text (with its mentions): for pages
    that list the same texts on every view (a task's description and comments). The key is
    the text itself, so an edit is a new entry and nothing is ever stale."""
    users = tuple(mentioned_users)
    key = (text, tuple((u.id, u.username_key, u.username) for u in users))
    html = _cache.get(key)
    if html is None:
        html = _cache[key] = render_markdown(text, users)
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return html


EXCERPT = 100  # characters of a quoted message


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The first `limit` characters of what `text` reads as (its Markdown's text, without
    the syntax), on one line, for a reply's quote."""
    words: list[str] = []
    for block in _MD.parse(text, {}):
        if block.type in ("fence", "code_block"):
            words.append(block.content)
        for token in block.children or ():
            if token.type in ("text", "code_inline"):
                words.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                words.append(" ")
        words.append(" ")
    plain = " ".join("".join(words).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"
