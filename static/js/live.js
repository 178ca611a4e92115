// Every signed-in page's first script: the dispatcher, catch-up streams, live swaps, badge.
const $ = (selector) => document.querySelector(selector);

// One document listener per event type: an event goes to the behaviours named by data-js on
// the elements it passes, innermost first (body's, the page's scripts, last), until one
// returns true. The markup orders behaviours, not the order of scripts.
const behaviours = {}, listening = new Set();
function on(name, handlers) {
  behaviours[name] = handlers;
  for (const type in handlers) {
    if (listening.has(type)) continue;
    listening.add(type);
    document.addEventListener(type, (event) => {
      let el = (event.target instanceof Element ? event.target : document.body).closest("[data-js]");
      for (; el; el = el.parentElement?.closest("[data-js]")) {
        for (const js of el.dataset.js.split(" ")) if (behaviours[js]?.[type]?.(event, el)) return;
      }
    });
  }
}

// A stream's changes are numbered 1, 2, 3…; `seq`: the last taken in order. One that comes
// early waits in `early` until next() can take it. A room's changes, a board's diffs.
function stream(seq) {
  const s = { seq, early: new Map(), add: (n, item = true) => n > s.seq && s.early.set(n, item) };
  s.next = () => {
    for (const n of s.early.keys()) if (n <= s.seq) s.early.delete(n);
    const item = s.early.get(s.seq + 1);
    if (item) s.early.delete(++s.seq);
    return item;
  };
  return s;
}

const plain = (event) => event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey;
const idle = () => !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
// A kanban or task (data-version) older than the page's is not swapped in, nor a live copy
// of the same element no newer than it (its version is read before its content).
const versionOf = (fragment) => +fragment.querySelector("[data-version]")?.dataset.version;
let focused = null; // kept across a live swap (hx-preserve loses focus and caret)

on("live", {
  "htmx:oobBeforeSwap"({ detail }) {
    const item = detail.fragment.querySelector?.("[data-message-id], [data-comment-id]");
    const twin = item && document.getElementById(item.id);
    const same = detail.fragment.querySelector?.("[data-version]")?.id === detail.target.id;
    if ((twin && twin !== detail.target) || (same && versionOf(detail.fragment) <= +detail.target.dataset.version)) {
      detail.shouldSwap = false;
    }
  },
  "htmx:beforeSwap"({ detail }) {
    if (!detail.target?.dataset?.version || !detail.serverResponse || detail.xhr.status >= 300) return;
    const parsed = document.createElement("template");
    parsed.innerHTML = detail.serverResponse;
    if (versionOf(parsed.content) < +detail.target.dataset.version) detail.shouldSwap = false;
  },
  "htmx:oobAfterSwap"(event) {
    if (event.detail.target?.id === "comments" && $("#comments [data-comment-id]")) $("#no-comments")?.remove();
    syncTitle();
  },
  "htmx:afterSwap": syncTitle,
  "htmx:afterRequest"({ detail }) { // [data-clear-on-success]: cleared once saved
    if (!detail.successful || !detail.elt.matches?.("[data-clear-on-success]")) return;
    detail.elt.reset();
    detail.elt.querySelector("textarea")?.focus();
  },
  "htmx:wsBeforeMessage"() {
    const { id, value, selectionStart, selectionEnd } = document.activeElement || {};
    focused = id && !idle() ? { id, value, selectionStart, selectionEnd } : null;
  },
  "htmx:wsAfterMessage"() {
    const again = focused && document.activeElement?.id !== focused.id && document.getElementById(focused.id);
    if (!again) return;
    if (focused.value !== undefined && "value" in again && again.type !== "submit") {
      again.value = focused.value;
      if (focused.selectionStart != null) again.setSelectionRange?.(focused.selectionStart, focused.selectionEnd);
    }
    again.focus();
  },
  "htmx:wsOpen"() {
    document.body.dataset.socket = "open";
    connection("");
  },
  "htmx:wsClose"(event) {
    document.body.dataset.socket = "closed";
    const { code, reason } = event.detail.event || {};
    // 44xx: the server ended this page's access (logged out, removed): no retry.
    connection(code >= 4000 ? `${reason || "Disconnected"}. Reload the page.` : "Reconnecting… (messages you send are still delivered)");
  },
});

function connection(text) {
  const state = $("[data-connection-state]");
  if (state) state.textContent = text;
}

function syncTitle() { // "(3) TaskFlow": the unread badge's count
  const count = +$("[data-unread-badge]")?.dataset.count || 0;
  document.title = (count ? `(${count}) ` : "") + document.title.replace(/^\(\d+\) /, "");
}

// Without an open socket the badge is polled.
setInterval(() => document.body.dataset.socket !== "open" && htmx.trigger(document.body, "poll-badge"),
  (+document.body.dataset.pollSeconds || 30) * 1000);
