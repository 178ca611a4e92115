"""A Trello board's JSON export (Board menu › Print, export and share › Export as JSON), read
into an IncomingBoard (boards/incoming.py).

- lists → columns, in their order (`pos`); archived (closed) lists and cards are skipped;
- cards → tasks in their order: name, desc, due (a moment: its UTC day and time), the first
  of `idMembers` whose Trello username is a username here as the assignee (matched when
  imported), and the card's creation time, which a Trello id carries in its first 8 hex digits;
- actions of type commentCard → comments, oldest first, with the author's full name and date;
- labels and checklists are read into plain dataclasses for the sections still to come."""

from collections import defaultdict
from datetime import UTC, datetime

from taskflow.boards import incoming
from taskflow.boards.incoming import (
    AUTHOR_MAX,
    BOARD_DESCRIPTION_MAX,
    BOARD_NAME_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    Checklist,
    ChecklistItem,
    IncomingBoard,
    IncomingColumn,
    IncomingComment,
    IncomingTask,
    Label,
)


def is_trello(data) -> bool:
    """What every Trello board export has: an id, lists and cards, each card in a list."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return False
    lists, cards = data.get("lists"), data.get("cards")
    if not isinstance(lists, list) or not isinstance(cards, list):
        return False
    return all(isinstance(card, dict) and "idList" in card for card in cards)


def read(data: dict) -> IncomingBoard:
    members = _members(data)
    labels = _labels(data)
    board = IncomingBoard(
        name=incoming.text(data.get("name"), BOARD_NAME_MAX).strip() or "Imported board",
        description=incoming.text(data.get("desc"), BOARD_DESCRIPTION_MAX),
        members=sorted(set(members.values())),
        labels=list(labels.values()),
    )
    columns = {item["id"]: IncomingColumn(incoming.column_name(item.get("name")))
               for item in _open_sorted(data.get("lists"))}  # fmt: skip
    comments, checklists = _comments(data), _checklists(data)
    for card in _open_sorted(data.get("cards")):
        column = columns.get(card.get("idList"))
        if column is not None:
            task = _task(card, members, labels)
            task.comments = comments.get(card.get("id"), [])
            task.checklists = checklists.get(card.get("id"), [])
            column.tasks.append(task)
    board.columns = list(columns.values())
    return board


def _open_sorted(items) -> list[dict]:
    """The items not archived, in Trello's order (`pos`)."""
    found = [i for i in items or [] if isinstance(i, dict) and not i.get("closed") and "id" in i]
    return sorted(found, key=lambda item: _number(item.get("pos")))


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _task(card: dict, members: dict[str, str], labels: dict[str, Label]) -> IncomingTask:
    ids = card.get("idMembers") if isinstance(card.get("idMembers"), list) else []
    return IncomingTask(
        title=incoming.title(card.get("name")),
        description=incoming.text(card.get("desc"), DESCRIPTION_MAX),
        assignee=next((members[i] for i in ids if i in members), None),
        due_date=incoming.day(card.get("due")),
        due_at=incoming.moment(card.get("due")),
        created_at=_created(card.get("id")),
        number=incoming.number(card.get("idShort")),
        labels=[labels[i] for i in card.get("idLabels") or [] if i in labels],
    )


def _created(trello_id) -> datetime | None:
    """A Trello id is a MongoDB ObjectId: its first 4 bytes are its creation time."""
    try:
        seconds = int(trello_id[:8], 16)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _members(data: dict) -> dict[str, str]:
    """Trello member id → username."""
    return {m["id"]: m["username"] for m in data.get("members") or []
            if isinstance(m, dict) and isinstance(m.get("id"), str)
            and isinstance(m.get("username"), str)}  # fmt: skip


def _labels(data: dict) -> dict[str, Label]:
    """The board's labels; older exports list them only on the cards that carry them."""
    found = {}
    on_cards = [i for c in data.get("cards") or [] if isinstance(c, dict)
                for i in c.get("labels") or []]  # fmt: skip
    for item in [*(data.get("labels") or []), *on_cards]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found[item["id"]] = Label(incoming.text(item.get("name"), 50),
                                      incoming.text(item.get("color"), 20))  # fmt: skip
    return found


def _comments(data: dict) -> dict[str, list[IncomingComment]]:
    """Card id → its comments, oldest first (an export lists actions newest first)."""
    found = defaultdict(list)
    for action in data.get("actions") or []:
        if not isinstance(action, dict) or action.get("type") != "commentCard":
            continue
        details = action.get("data") if isinstance(action.get("data"), dict) else {}
        card = details.get("card") if isinstance(details.get("card"), dict) else {}
        at = incoming.moment(action.get("date"))
        content = incoming.text(details.get("text"), COMMENT_MAX)
        if card.get("id") and at and content.strip():
            found[card["id"]].append(IncomingComment(_author(action), content, at))
    for comments in found.values():
        comments.sort(key=lambda comment: comment.created_at)
    return found


def _author(action: dict) -> str:
    creator = action.get("memberCreator") if isinstance(action.get("memberCreator"), dict) else {}
    name = creator.get("fullName") or creator.get("username") or "someone on Trello"
    return incoming.text(name, AUTHOR_MAX)


def _checklists(data: dict) -> dict[str, list[Checklist]]:
    found = defaultdict(list)
    for item in _sorted_dicts(data.get("checklists")):
        items = [ChecklistItem(incoming.text(i.get("name"), 200), i.get("state") == "complete",
                               _number(i.get("pos")))
                 for i in _sorted_dicts(item.get("checkItems"))]  # fmt: skip
        found[item.get("idCard")].append(Checklist(incoming.text(item.get("name"), 200), items))
    return found


def _sorted_dicts(items) -> list[dict]:
    found = [i for i in items or [] if isinstance(i, dict)] if isinstance(items, list) else []
    return sorted(found, key=lambda item: _number(item.get("pos")))
