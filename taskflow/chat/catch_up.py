"""What a (re)connecting room page missed: every change after the last one it saw, for
every reader alike (times in UTC, shown in the page's zone by local_time.js)."""

from taskflow import chips
from taskflow.chat.render import MESSAGES, page_of_messages, upsert_html
from taskflow.models import ChatMessage, ChatRoom
from taskflow.models.message import PAGE_SIZE
from taskflow.realtime import fragments
from taskflow.realtime.broadcaster import text_frame


def changes(room_id: int, seq: int) -> tuple[str, int]:
    """What a page that saw the room's changes up to number `seq` is missing: every later
    change, and the number it brings the page to, the same for every reader (times in UTC,
    shown in the page's zone by local_time.js). Beyond a page of changes the whole list is
    replaced by the latest page instead, so any `seq` costs at most one page of work."""
    found = ChatMessage.changed_after(room_id, seq, limit=PAGE_SIZE + 1)
    if len(found) <= PAGE_SIZE:
        html = chips.shared("".join(upsert_html(m) for m in found))  # readers: board members
        return html, found[-1].seq if found else seq
    room_seq = ChatRoom.current_seq(room_id)  # read before the list: never newer than it
    messages, oldest = page_of_messages(room_id, zone=None)
    html = chips.shared(
        fragments.render(MESSAGES, room_id=room_id, messages=messages, oldest=oldest, oob=True)
    ) + fragments.render("chat/_sync.html", seq=room_seq, oob=True)
    return html, room_seq


def catch_up(room_id: int, seq: int | None) -> tuple[list[bytes], int]:
    """The first frame of a (re)connecting socket, and the change number it covers: live
    changes up to that number are not sent again."""
    if seq is None:
        return [], 0
    html, covered = changes(room_id, max(seq, 0))
    return ([text_frame(html)] if html else []), covered
