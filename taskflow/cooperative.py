"""Big pages give way. The web server runs each request in a greenlet (gunicorn's gevent
worker), and a greenlet runs until it waits for I/O: rendering a board of 1,000 tasks does not
wait, so every other request of that process would wait for the whole render. A template
calls `pause()` between the parts of a big page (the kanban, between columns), letting the
other requests run in between: a small page never waits for more than one part."""

from gevent import monkey, sleep


def pause() -> str:
    """Let the other greenlets run (only where gevent serves the requests: in the test client
    or a thread there is no one to give way to). Returns "" so a template can call it."""
    if monkey.is_module_patched("socket"):
        sleep(0)
    return ""
