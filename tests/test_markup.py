"""The Markdown subset (taskflow/markup.py): what it renders, what it refuses, and where
mentions apply. No app needed: the renderer is a pure function of the text."""

import cProfile
import gc
import pstats
import re
import time
from html.parser import HTMLParser

import pytest

from taskflow import markup
from taskflow.models import User
from taskflow.notifications import mentions

from . import markdown_worst as worst
from .xss_payloads import PAYLOADS


def users(*names):
    result = []
    for i, name in enumerate(names, 1):
        user = User(name, "x" * 8)
        user.id = i
        result.append(user)
    return result


class Elements(HTMLParser):
    """The tags and attributes of an HTML fragment, as a browser's parser finds them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.seen.append((tag, attrs))


def md(text: str, mentioned=()) -> str:
    return str(markup.render_markdown(text, mentioned))


def test_the_subset_renders():
    assert md("*em* _em_ **strong** `code`") == (
        "<em>em</em> <em>em</em> <strong>strong</strong> <code>code</code>"
    )
    assert md("```\nx = 1\n```") == "<pre><code>x = 1\n</code></pre>\n"
    assert md("    indented\n    code") == "<pre><code>indented\ncode\n</code></pre>\n"
    assert md("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
    assert md("3. c\n4. d") == '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n'
    assert md("> quoted") == "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
    assert md("[site](https://example.com/a?b=1&c=2)") == (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">site</a>'
    )
    # Newlines are line breaks (a chat, not a document); paragraphs stay paragraphs.
    assert md("one\ntwo") == "one<br>\ntwo"
    assert md("one\n\ntwo") == "<p>one</p>\n<p>two</p>\n"


def test_one_paragraph_is_its_text_alone():
    assert md("just words") == "just words"
    assert md("") == ""


def test_outside_the_subset_stays_text():
    assert md("# not a heading") == "# not a heading"
    assert md("text\n---") == "text<br>\n---"  # no setext heading, no rule
    assert md("***") == "***"
    assert md("a | b\n--|--\n1 | 2") == "a | b<br>\n--|--<br>\n1 | 2"  # no tables
    # An image is not shown: its text and link remain, a link like any other.
    assert md("![alt](https://example.com/x.png)") == (
        '!<a href="https://example.com/x.png" rel="nofollow noopener">alt</a>'
    )


def test_bare_urls_and_addresses_become_links_other_words_do_not():
    assert md("see https://example.com/x.") == (
        'see <a href="https://example.com/x" rel="nofollow noopener">https://example.com/x</a>.'
    )
    assert md("mail bob@example.com") == (
        'mail <a href="mailto:bob@example.com" rel="nofollow noopener">bob@example.com</a>'
    )
    assert md("<https://example.com>") == (
        '<a href="https://example.com" rel="nofollow noopener">https://example.com</a>'
    )
    for word in ("app.js", "notes.md", "www.example.com", "ftp://example.com", "//example.com"):
        assert "<a" not in md(word), word


def test_raw_html_is_text():
    assert md("<b>hi</b>") == "&lt;b&gt;hi&lt;/b&gt;"
    assert md("<div onclick=x>\nblock\n</div>") == (
        "&lt;div onclick=x&gt;<br>\nblock<br>\n&lt;/div&gt;"
    )
    assert md("<!-- c --><script>alert(1)</script>") == (
        "&lt;!-- c --&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert md("`<script>alert(1)</script>`") == "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](  javascript:alert(1) )",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript&#58;alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
        "<JaVaScRiPt:alert(1)>",
        "![x](javascript:alert(1))",
        "[![x](javascript:alert(1))](javascript:alert(2))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "**[x](javascript:alert(1))**",
        "> - [x](javascript:alert(1))",
    ],
)
def test_only_http_https_and_mailto_links_survive(text):
    html = md(text)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(("http:", "https:", "mailto:", "/", "#")) for h in hrefs), html
    assert "javascript" not in "".join(hrefs).lower()
    assert "<img" not in html


def test_a_title_cannot_add_attributes():
    html = md('[t](https://example.com "a\\" onmouseover=alert(1) x=\\"")')
    assert html == '<a href="https://example.com" rel="nofollow noopener">t</a>'


def test_only_the_allow_listed_tags_and_attributes_come_out():
    text = "\n\n".join(
        [
            "*a* **b** `c` [d](https://e.example) https://f.example @bob\nline",
            "```python\ng()\n```",
            "2. x\n3. y",
            "> q",
            '<p class="x" onclick="y">raw</p>',
        ]
    )
    html = md(text, users("bob"))
    found = Elements()
    found.feed(html)
    tags = {"p", "br", "em", "strong", "code", "pre", "a", "ol", "li", "blockquote", "span"}
    assert {tag for tag, _ in found.seen} == tags
    attributes = {name for _, attrs in found.seen for name, _ in attrs}
    assert attributes == {"href", "rel", "start", "class", "data-user-id"}
    assert 'class="language-python"' not in html  # no classes but the mention's


def test_mentions_in_text_only():
    bob, carol = users("bob", "carol")
    assert md("hi @bob and @carol", [bob]) == (
        'hi <span class="mention" data-user-id="1">@bob</span> and @carol'
    )
    assert md("*@Bob*", [bob]) == '<em><span class="mention" data-user-id="1">@Bob</span></em>'
    assert md("> @bob.", [bob]) == (
        '<blockquote>\n<p><span class="mention" data-user-id="1">@bob</span>.</p>\n</blockquote>\n'
    )
    # Not in code, nor in a link's text or address.
    assert md("`@bob`", [bob]) == "<code>@bob</code>"
    assert "mention" not in md("```\n@bob\n```", [bob])
    assert "mention" not in md("[@bob](https://example.com/@bob)", [bob])
    assert "mention" not in md("https://example.com/@bob", [bob])
    assert "mention" not in md("<https://example.com/@bob>", [bob])
    # Nor of anyone the text was not saved as mentioning.
    assert "mention" not in md("@bob", [])


def test_notifications_follow_the_same_rule():
    bob, carol, dan = users("bob", "carol", "dan")
    text = "@bob `@carol` [@dan](https://example.com)\n```\n@dan\n```"
    assert mentions.find(text, [bob, carol, dan]) == [bob]
    assert mentions.find("> **@carol**", [bob, carol]) == [carol]


def test_excerpt_is_the_plain_text():
    assert markup.excerpt("**bold** and `code`\n\n- [a link](https://x.example) @bob") == (
        "bold and code a link @bob"
    )
    long = markup.excerpt("word " * 100)
    assert len(long) <= markup.EXCERPT and long.endswith("…")
    assert markup.excerpt("<script>alert(1)</script>") == "<script>alert(1)</script>"  # text


def test_cached_is_the_same_html_once_per_text():
    (bob,) = users("bob")
    first = markup.cached("@bob *hi*", [bob])
    assert first == markup.render_markdown("@bob *hi*", [bob])
    assert markup.cached("@bob *hi*", [bob]) is first
    assert markup.cached("@bob *hi*", []) == "@bob <em>hi</em>"  # other mentions, other entry


# Every text renders within its time, whatever it holds (tests/markdown_worst.py): at the
# longest a text may be (a task description), and at the costliest length still parsed.
LONGEST = 10_000
WORST = [
    text
    for unit in worst.UNITS
    for text in (worst.text(unit, LONGEST), worst.within(unit, markup.BUDGET, markup.cost))
]


def fastest_render_ms(text: str, runs: int = 5) -> float:
    """The fastest of `runs` renders, in ms: on a shared 2-core machine the others may have
    waited for the CPU, the fastest did not."""
    gc.collect()  # the garbage of what ran before is not this render's
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        markup.render_markdown(text)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


# A wall-clock bound: with the benchmark smoke tests, one test at a time (CI's bench step),
# never beside another worker that takes the CPU; the calls are bounded below in any run.
@pytest.mark.bench
@pytest.mark.parametrize("text", WORST, ids=lambda text: f"{text[:12]!r}x{len(text)}")
def test_the_costliest_texts_render_within_20_ms(text):
    markup.render_markdown(text)  # warm: regexes compiled
    assert fastest_render_ms(text) <= 20


def python_calls(text: str) -> int:
    """The Python function calls one render makes: the work done, counted exactly."""
    profile = cProfile.Profile()
    profile.runcall(markup.render_markdown, text)
    return pstats.Stats(profile).total_calls


@pytest.mark.parametrize("unit", worst.UNITS)
def test_the_work_is_bounded_whatever_the_length(unit):
    """A text over the budget costs the same few calls at any length (and a few per paragraph
    shown as typed); one within it, calls in proportion to its estimated cost (the estimate
    is an upper bound of the work)."""
    longer, shorter = worst.text(unit, 16_000), worst.text(unit, 8_000)
    paragraphs = longer.count("\n\n") - shorter.count("\n\n")  # a few calls each, as typed
    assert python_calls(longer) <= python_calls(shorter) + 20 + 10 * paragraphs
    dense = worst.within(unit, markup.BUDGET, markup.cost)
    assert python_calls(dense) <= 20 * markup.BUDGET


def test_a_bare_url_looks_back_a_bounded_way_for_its_scheme():
    """The linkify rule found "http" at each "://" by searching all the text before it;
    markup._linkify looks at its last 64 characters, with the same links."""
    markup_budget, markup.BUDGET = markup.BUDGET, 10**9  # parse it all, whatever it costs
    try:
        calls = [python_calls(worst.text("<[http://", n)) for n in (2_000, 4_000)]
        assert calls[1] <= 2.2 * calls[0]
        assert md("x" * 200 + " http://a.example/b") == (
            "x" * 200
            + ' <a href="http://a.example/b" rel="nofollow noopener">http://a.example/b</a>'
        )
        assert md("xhttp://a.example") == "xhttp://a.example"
    finally:
        markup.BUDGET = markup_budget


def test_a_text_too_dense_in_markup_is_shown_as_typed():
    (bob,) = users("bob")
    dense = "*a* " * 2_000 + "\n<b>@bob</b> & [x](https://e.example)\n\n> next"
    assert not markup.parsed(dense)
    html = md(dense, [bob])
    assert html == (
        "<p>"
        + "*a* " * 1_999
        + '*a*<br>\n&lt;b&gt;<span class="mention" data-user-id="1">@bob</span>&lt;/b&gt; '
        + "&amp; [x](https://e.example)</p>\n<p>&gt; next</p>\n"
    )
    assert mentions.find(dense, [bob]) == [bob]  # notified as shown
    assert markup.excerpt(dense).startswith("*a* *a*")
    assert md("<" * 5_000) == "&lt;" * 5_000  # one paragraph: no <p>, as for Markdown


def test_a_long_document_keeps_its_first_part_formatted_and_shows_the_rest_as_typed():
    """Ordinary Markdown of any length renders within the budget: a 40-item list or 40 links
    in full; a 10,000-character document dense in markup, its blocks up to the budget, then
    the rest as typed, never cut inside a code fence."""
    items = "".join(
        f"- step {i}: check the **thing** at [doc {i}](https://e.example/{i})\n" for i in range(40)
    )
    html = md(items)
    assert html.count("<li>") == 40 and html.count("<strong>") == 40
    section = "Some `code`, **bold** and _it_, see https://e.example/a.\n\n- one\n- two\n\n"
    document = "```\nfenced\n\nstill fenced\n```\n\n" + section * 150
    head, tail = markup.within_budget(document)
    assert head and tail and head + tail != document and markup.cost(head) <= markup.BUDGET
    assert head.count("```") == 2  # the fence whole, on one side
    html = md(document)
    assert html.startswith("<pre><code>fenced\n\nstill fenced\n</code></pre>")
    assert "<strong>bold</strong>" in html and "**bold**" in html  # formatted, then typed
    assert markup.excerpt(document).startswith("fenced still fenced Some code, bold")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_a_dense_text_stay_text(payload):
    dense = "[" * 400 + "\n" + payload + "\n\n" + payload
    assert not markup.parsed(dense)
    found = Elements()
    found.feed(md(dense))
    assert {tag for tag, _ in found.seen} <= {"p", "br"}
    assert all(attrs == [] for _, attrs in found.seen)
