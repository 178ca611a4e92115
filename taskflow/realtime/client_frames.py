"""A client's frame, checked before any socket sees it: JSON, an object, and not nested deeper
than ours ever are (a frame thousands of lists deep would cost the parser and the handler)."""

import json

MAX_DEPTH = 32  # nesting of a client's JSON frame; ours are flat


def parse(data: str | bytes) -> dict | str:
    """The frame as an object, or why it was not understood (the text of the error line)."""
    try:
        frame = json.loads(data)
    except RecursionError:  # "[[[[…" thousands deep: the parser gives up
        return "That was not understood (nested too deeply)."
    except (ValueError, TypeError):
        return "That was not understood (invalid JSON)."
    if too_deep(frame):
        return "That was not understood (nested too deeply)."
    if not isinstance(frame, dict):
        return "That was not understood (expected an object)."
    return frame


def too_deep(value: object) -> bool:
    """Whether lists and objects nest beyond MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
