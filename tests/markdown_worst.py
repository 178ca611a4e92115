"""Texts that cost Markdown parsers the most for their length: each unit repeated up to the
length wanted. Used by tests/test_markup.py (every render stays within its time) and
bench/markdown.py (the figures)."""

# Unit -> why it is costly. Link labels are scanned to their closing bracket, link
# destinations to their closing parenthesis, autolinks to ">", bare URLs look back for a
# scheme, and emphasis and backticks pair delimiters across the whole paragraph.
UNITS = {
    "<[http://": "autolink, link label and bare URL at once (the issue's case)",
    "[": "link labels that never close, nested",
    "](": "link ends without a start",
    "<": "autolinks that never close",
    "*_": "emphasis delimiters that never pair",
    "`": "one backtick run",
    "` ``": "backtick runs of different lengths that never pair",
    "*a _b ": "nested emphasis that never closes",
    "**a [b](c) ": "nested emphasis and links",
    "[a](": "link destinations that never close",
    "[a](<": "link destinations in angle brackets that never close",
    "[a]: b\n": "link reference definitions",
    "[a][": "reference links that never close",
    "*[": "emphasis around link labels",
    "`[": "backticks around link labels",
    "<ftp://": "bare URLs inside autolinks",
    "](http://": "bare URLs in link ends",
    "http://a.b ": "bare URLs",
    "a@b.c ": "bare e-mail addresses",
    "&#": "entities that never end",
    "\\": "escapes",
    "!": "image starts",
    "&amp; ": "entities",
    "a@b.co ": "bare e-mail addresses that become links",
    "mailto:a@b.c ": "mailto: links",
    "<a@b.c> ": "e-mail autolinks",
    "<http://a.b> ": "autolinks",
    "[a](b) ": "links",
    "*a* ": "emphasis",
    "a[": "link labels between words",
    "a\n": "lines",
    "> ": "nested block quotes",
    "- ": "nested lists",
    "- a\n": "list items",
    "1. a\n": "ordered list items",
    "- - - a\n": "lists nested in list items",
    "* a\n  * b\n    * c\n": "indented nested lists",
    "```\n": "code fences",
    "*[ [a](b) _c_\n\n": "paragraphs dense in markup (the head parsed, the rest as typed)",
    "- [ ] **a** [b](http://c.d)\n\n": "loose list items with links",
    "```\n[\n\n": "blank lines inside code fences",
}


def text(unit: str, length: int) -> str:
    """`unit` repeated to exactly `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


def within(unit: str, budget: int, cost) -> str:
    """The longest repetition of `unit` whose `cost` is within `budget`: the costliest text
    of that kind that is still parsed as Markdown."""
    low, high = 0, 20_000
    while low < high:
        middle = (low + high + 1) // 2
        if cost(text(unit, middle)) <= budget:
            low = middle
        else:
            high = middle - 1
    return text(unit, low)
