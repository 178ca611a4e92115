"""Checks every page must pass in Chromium: axe-core finds nothing, the document is no wider
than the viewport (the kanban strip may scroll inside itself), and the console stays empty.

axe-core (tests/vendor/axe-core, from npm) is injected as an inline script, which our CSP
forbids: `axe_context` bypasses the CSP, and only the axe checks use it. Console checks use a
normal context, so a CSP violation still shows up there."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# The widths every page is checked at: a desktop, a phone and a small phone (touch both).
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
MODES = [
    (name, viewport, scheme)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE), ("small", SMALL_PHONE))
    for scheme in ("light", "dark")
]
MODE_IDS = [f"{name}-{scheme}" for name, _, scheme in MODES]
# axe runs at 1280 and 390: at 360 it would find what it finds at 390 (colours, names,
# roles), while the walk's layout checks are what a narrower screen can break.
AXE_MODES = [mode for mode in MODES if mode[1] is not SMALL_PHONE]
AXE_MODE_IDS = [f"{name}-{scheme}" for name, _, scheme in AXE_MODES]


def context_for(new_context, viewport: dict, scheme: str, *, axe: bool = False, **options):
    """A browser context (of the new_context fixture) at this size and colour scheme; with
    `axe`, the CSP is bypassed so axe-core can be injected (never for the console checks).
    `options` go to new_context (java_script_enabled=False, base_url=..., say)."""
    phone = viewport is PHONE or viewport is SMALL_PHONE
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


def off_screen(page) -> list[str]:
    """Every visible element whose box leaves the viewport sideways (left < 0 or right >
    the viewport's width), as "selector left..right", the outermost of each nest only; first
    "document Npx wide in Mpx" when the document itself scrolls sideways. Left out, with
    everything inside them: a sideways scroll container whose own box is on screen (the
    kanban strip, a code block: they scroll by design) and visually hidden text (clipped to
    1px for screen readers). Empty when nothing leaves the screen."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement, width = doc.clientWidth;
          const named = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id :
            [...el.classList].slice(0, 2).map((c) => '.' + c).join(''));
          const selector = (el) => {
            const up = el.id ? null : el.parentElement.closest('[id], [class]');
            return (up && up !== document.body ? named(up) + ' ' : '') + named(el);
          };
          const exempt = new Set(), out = new Set(), found = [];
          for (const el of document.body.querySelectorAll('*')) {
            if (exempt.has(el.parentElement)) { exempt.add(el); continue; }
            if (!el.checkVisibility({visibilityProperty: true})) continue;
            const box = el.getBoundingClientRect(), style = getComputedStyle(el);
            const clipped = style.clip !== 'auto' || style.clipPath !== 'none';
            if (clipped && (box.width <= 1 || box.height <= 1)) { exempt.add(el); continue; }
            const outside = box.width * box.height > 0 &&
              (box.left < -0.5 || box.right > width + 0.5);
            if (outside) {
              out.add(el);
              if (!out.has(el.parentElement)) {
                found.push(`${selector(el)} ${Math.round(box.left)}..${Math.round(box.right)}`);
              }
            } else if (['auto', 'scroll'].includes(style.overflowX)) exempt.add(el);
          }
          const wide = doc.scrollWidth > width
            ? [`document ${doc.scrollWidth}px wide in ${width}px`] : [];
          const more = found.length > 12 ? [`and ${found.length - 12} more`] : [];
          return [...wide, ...found.slice(0, 12), ...more];
        }"""
    )
