from taskflow.models import User
from taskflow.notifications import mentions


def users(*names):
    result = []
    for i, name in enumerate(names, 1):
        user = User(name, "x" * 8)
        user.id = i
        result.append(user)
    return result


def test_find_only_readers_case_insensitively_once_each():
    bob, carol, dot_name = users("bob", "Carol", "d.o.t")
    text = "@BOB and @carol, again @bob. Also @nobody, mail bob@bob.com, @d.o.t."
    assert mentions.find(text, [bob, carol, dot_name]) == [bob, carol, dot_name]
    assert mentions.find(text, [carol]) == [carol]
    assert mentions.find("email@bob", [bob]) == []
    assert mentions.find("@@bob", [bob]) == []


def test_render_escapes_and_marks_stored_mentions():
    (bob,) = users("bob")
    html = str(mentions.render("<b>hi</b> @Bob & @eve", [bob]))
    assert (
        html == '&lt;b&gt;hi&lt;/b&gt; <span class="mention" data-user-id="1">@Bob</span>'
        " &amp; @eve"
    )
    assert str(mentions.render("<i>@bob</i>", [])) == "&lt;i&gt;@bob&lt;/i&gt;"


def test_query_at_caret():
    assert mentions.query_at_caret("hi @al", 6) == "al"
    assert mentions.query_at_caret("hi @", 4) == ""
    assert mentions.query_at_caret("hi @al there", 12) is None
    assert mentions.query_at_caret("a@al", 4) is None
