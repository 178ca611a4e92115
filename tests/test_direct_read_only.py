"""A direct message whose people no longer share a board is read-only: besides new
messages, edits (new text and new mentions would reach the others) and reactions (they
re-render the message for everyone) are refused with the reason. Deleting one's own
message stays possible: nobody is kept from taking their words back."""

from taskflow.extensions import db
from taskflow.models import ChatMessage

from .conftest import as_user
from .helpers import board_of
from .test_room_bounds import ids_of, start_direct


def _bobs_message(app, dm: int) -> ChatMessage:
    with app.app_context():
        message = db.session.query(ChatMessage).filter_by(room_id=dm).one()
        db.session.expunge(message)
        return message


def test_a_read_only_direct_message_refuses_edits_and_reactions_not_deletions(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    dm = start_direct(alice, "bob")
    assert bob.post(f"/rooms/{dm}/messages", {"content": "hello"}).status_code == 302
    message_id = _bobs_message(app, dm).id
    (bob_id,) = ids_of(app, "bob")
    board_id = board_of(app, chat_room)
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code in (200, 302)

    edit = f"/messages/{message_id}/edit"
    for htmx in (False, True):
        refused = bob.post(edit, {"content": "@alice rewritten"}, htmx=htmx)
        assert refused.status_code == 403 and "read-only" in refused.get_data(as_text=True)
    assert bob.get(edit).status_code == 403  # no form that cannot be sent
    reaction = f"/messages/{message_id}/reactions"
    for client in (alice, bob):
        refused = client.post(reaction, {"emoji": "👍"})
        assert refused.status_code == 403 and "read-only" in refused.get_data(as_text=True)
    message = _bobs_message(app, dm)
    assert message.content == "hello" and not message.reactions

    assert bob.post(f"/messages/{message_id}/delete").status_code == 302
    assert _bobs_message(app, dm).deleted_at is not None
