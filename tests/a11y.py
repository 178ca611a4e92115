"""Checks every page must pass in Chromium: axe-core finds nothing, the document is no wider
than the viewport (the kanban strip may scroll inside itself), and the console stays empty.

axe-core (tests/vendor/axe-core, from npm) is injected as an inline script, which our CSP
forbids: `axe_context` bypasses the CSP, and only the axe checks use it. Console checks use a
normal context, so a CSP violation still shows up there."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# The two widths every page is checked at: a desktop and a phone.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MODES = [
    (name, viewport, scheme)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE))
    for scheme in ("light", "dark")
]
MODE_IDS = [f"{name}-{scheme}" for name, _, scheme in MODES]


def context_for(new_context, viewport: dict, scheme: str, *, axe: bool = False, **options):
    """A browser context (of the new_context fixture) at this size and colour scheme; with
    `axe`, the CSP is bypassed so axe-core can be injected (never for the console checks).
    `options` go to new_context (java_script_enabled=False, base_url=..., say)."""
    phone = viewport is PHONE
    return new_context(
        viewport=viewport,
        color_scheme=scheme,
        bypass_csp=axe,
        is_mobile=phone,
        has_touch=phone,
        **options,
    )


def watch_console(page) -> list[str]:
    """Collects every console error or warning, uncaught error and failed request of the
    page, from now on; the returned list fills as they happen."""
    seen: list[str] = []
    page.on(
        "console",
        lambda msg: (
            seen.append(f"console.{msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    # A request the browser cancels itself (a navigation, a closing page: net::ERR_ABORTED,
    # often the favicon) is not a fault; any other failure is.
    page.on(
        "requestfailed",
        lambda request: (
            seen.append(f"failed: {request.url} {request.failure}")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            seen.append(f"{response.status}: {response.url}") if response.status >= 400 else None
        ),
    )
    return seen


def axe_violations(page) -> list[str]:
    """axe-core's violations of any impact on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


def too_wide(page) -> list[str]:
    """Elements wider than the viewport, outside the kanban strip (which scrolls inside
    itself); empty when the document does not scroll sideways."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          if (doc.scrollWidth <= doc.clientWidth) return [];
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            if (el.closest('.kanban')) continue;
            const box = el.getBoundingClientRect();
            if (box.right > doc.clientWidth + 0.5) {
              const name = typeof el.className === 'string' && el.className
                ? '.' + el.className.split(' ').join('.') : '';
              wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + name +
                ' ' + Math.round(box.left) + '..' + Math.round(box.right));
            }
          }
          const doc_size = `document ${doc.scrollWidth}px wide in ${doc.clientWidth}px`;
          return [doc_size, ...wide.slice(0, 8)];
        }"""
    )
