// Loaded first on every signed-in page (templates/base.html). Scripts hold only what htmx
// cannot do; without them every page still works.
const $ = (selector) => document.querySelector(selector);

// One listener per event type, on the document. An event goes to the behaviours named by
// data-js on the elements it passes through, innermost first (body's, the page's scripts,
// last), until one returns true: the markup, not the order of scripts, decides.
const behaviours = {}, listening = new Set();
function on(name, handlers) {
  behaviours[name] = handlers;
  for (const type in handlers) {
    if (listening.has(type)) continue;
    listening.add(type);
    document.addEventListener(type, (event) => {
      let el = event.target instanceof Element ? event.target : document.body;
      for (el = el.closest("[data-js]"); el; el = el.parentElement?.closest("[data-js]")) {
        for (const js of el.dataset.js.split(" ")) if (behaviours[js]?.[type]?.(event, el)) return;
      }
    });
  }
}

// A stream's changes are numbered 1, 2, 3…: `seq` is the last one taken in order; one that
// comes early waits for the gap before it. One scheme for a room's changes and a board's.
function stream(seq) {
  const s = { seq, early: new Map() };
  s.add = (n, item = true) => { if (n > s.seq) s.early.set(n, item); };
  s.next = () => { // the next change in order, taken; undefined while there is a gap
    for (const n of s.early.keys()) if (n <= s.seq) s.early.delete(n);
    const item = s.early.get(s.seq + 1);
    if (item) { s.early.delete(s.seq + 1); s.seq += 1; }
    return item;
  };
  return s;
}

const plain = (event) => event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey;

// An answer or a live copy no newer (data-version) than what the page shows is not swapped.
const stale = (fragment, target) => {
  const incoming = fragment?.querySelector?.("[data-version]");
  return !!incoming && incoming.id === target.id && !!target.dataset.version
    && +incoming.dataset.version <= +target.dataset.version;
};

let kept = null; // the focused element across a live swap (hx-preserve loses caret and focus)
on("live", {
  "htmx:oobBeforeSwap"(event) {
    const { fragment, target } = event.detail;
    const item = fragment.querySelector?.("[data-message-id], [data-comment-id]");
    const twin = item && document.getElementById(item.id);
    if ((twin && twin !== target) || stale(fragment, target)) event.detail.shouldSwap = false;
  },
  "htmx:beforeSwap"(event) {
    const { target, serverResponse, xhr } = event.detail;
    if (!target?.dataset?.version || !serverResponse || xhr.status >= 300) return;
    const parsed = document.createElement("template");
    parsed.innerHTML = serverResponse;
    const incoming = parsed.content.querySelector("[data-version]");
    if (incoming && +incoming.dataset.version < +target.dataset.version) event.detail.shouldSwap = false;
  },
  "htmx:oobAfterSwap"(event) {
    if (event.target.id === "comments" && $("#comments [data-comment-id]")) $("#no-comments")?.remove();
    syncTitle();
  },
  "htmx:afterSwap": syncTitle,
  "htmx:afterRequest"(event) { // [data-clear-on-success]: cleared once saved
    const form = event.detail.elt;
    if (!event.detail.successful || !form.matches?.("[data-clear-on-success]")) return;
    form.reset();
    form.querySelector("textarea")?.focus();
  },
  "htmx:wsBeforeMessage"() {
    const active = document.activeElement;
    kept = active?.id && active !== document.body
      ? { id: active.id, value: active.value, start: active.selectionStart, end: active.selectionEnd }
      : null;
  },
  "htmx:wsAfterMessage"() {
    if (!kept || document.activeElement?.id === kept.id) return;
    const again = document.getElementById(kept.id);
    if (!again) return;
    if (kept.value !== undefined && "value" in again && again.type !== "submit") {
      again.value = kept.value;
      if (kept.start != null) again.setSelectionRange?.(kept.start, kept.end);
    }
    again.focus();
  },
  "htmx:wsOpen"() {
    document.body.dataset.socket = "open";
    setConnectionState("");
  },
  "htmx:wsClose"(event) {
    document.body.dataset.socket = "closed";
    const { code, reason } = event.detail.event || {};
    // 44xx: the server ended this page's access (logged out, removed, deleted): no retry.
    setConnectionState(code >= 4000 ? `${reason || "Disconnected"}. Reload the page.`
      : "Reconnecting… (messages you send are still delivered)");
  },
});

function setConnectionState(text) {
  const state = $("[data-connection-state]");
  if (state) state.textContent = text;
}

// The tab title shows the unread badge's count: "(3) TaskFlow".
function syncTitle() {
  const badge = $("[data-unread-badge]");
  if (!badge) return;
  const count = +badge.dataset.count || 0;
  document.title = (count ? `(${count}) ` : "") + document.title.replace(/^\(\d+\) /, "");
}

// While the page has no open socket, the badge is polled over HTTP.
setInterval(() => {
  if (document.body.dataset.socket !== "open") htmx.trigger(document.body, "poll-badge");
}, (+document.body.dataset.pollSeconds || 30) * 1000);
