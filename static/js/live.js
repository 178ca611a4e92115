// Every signed-in page's first script: the dispatcher, streams, live swaps, the badge
// (docs/javascript.md explains each behaviour).
const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => [...document.querySelectorAll(selector)];
const byId = (id) => document.getElementById(id);
const page = document.body.dataset;
const copy = (template) => $(template).content.firstElementChild.cloneNode(true);
const parse = (html) => Object.assign(document.createElement("template"), { innerHTML: html }).content;

// One document listener per event type, for the data-js behaviours innermost first.
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

// Changes numbered 1, 2, 3…: `seq` the last taken in order, `early` those waiting.
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
const inField = (event) => event.target.closest?.("input, textarea, select, [contenteditable]");
const idle = () => !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
const versionOf = (fragment) => +fragment.querySelector("[data-version]")?.dataset.version;
let focused = null; // kept across a live swap

on("live", {
  keydown(event) { // Esc closes a menu; ? opens the keyboard map (keys/_map.html)
    const menu = event.key === "Escape" && event.target.closest?.("details[open]");
    if (menu) {
      menu.open = false;
      menu.children[0].focus();
    } else if (event.key === "k" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      byId("search-q").focus();
    } else if (event.key === "?" && !inField(event)) {
      event.preventDefault();
      byId("keys-map").showModal();
    }
  },
  "htmx:oobBeforeSwap"({ detail }) { // no older version, no second copy
    const item = detail.fragment.querySelector?.("[data-message-id], [data-comment-id]");
    const twin = item && byId(item.id);
    const same = detail.fragment.querySelector?.("[data-version]")?.id === detail.target.id;
    if ((twin && twin !== detail.target) || (same && versionOf(detail.fragment) <= +detail.target.dataset.version)) {
      detail.shouldSwap = false;
    }
  },
  "htmx:beforeSwap"({ detail }) {
    const late = newest.get(detail.target?.dataset?.ref); // a chip older than its frame
    if (late && versionOf(parse(detail.serverResponse)) < late.dataset.version) detail.serverResponse = late.outerHTML;
    if (!detail.target?.dataset?.version || !detail.serverResponse || detail.xhr.status >= 300) return;
    if (versionOf(parse(detail.serverResponse)) < +detail.target.dataset.version) detail.shouldSwap = false;
  },
  "htmx:oobAfterSwap"({ detail }) {
    if (detail.target?.id === "comments" && $("#comments [data-comment-id]")) $("#no-comments")?.remove();
    syncTitle();
  },
  "htmx:afterSwap": syncTitle,
  "htmx:afterRequest"({ detail }) {
    if (!detail.successful || !detail.elt.matches?.("[data-clear-on-success]")) return;
    detail.elt.reset();
    detail.elt.querySelector("textarea")?.focus();
  },
  "htmx:wsBeforeMessage"(event) {
    const m = event.detail.message;
    if (m.startsWith?.("<template data-chips")) return !event.preventDefault(chips(m));
    const { id, value, selectionStart, selectionEnd } = document.activeElement || {};
    focused = id && !idle() ? { id, value, selectionStart, selectionEnd } : null;
  },
  "htmx:wsAfterMessage"() {
    const again = focused && document.activeElement?.id !== focused.id && byId(focused.id);
    if (!again) return;
    if (focused.value !== undefined && "value" in again && again.type !== "submit") {
      again.value = focused.value;
      if (focused.selectionStart != null) again.setSelectionRange?.(focused.selectionStart, focused.selectionEnd);
    }
    again.focus();
  },
  "htmx:wsOpen"() { // the page's chips as they are now: changes may have come unseen
    page.socket = "open";
    const ids = [...new Set($$("[data-chip]").map((c) => c.dataset.chip))].slice(0, 50);
    if (ids[0]) fetch(`/chips?ids=${ids}`).then((r) => r.text()).then((t) => t && chips(t));
    connection("");
  },
  "htmx:wsClose"(event) {
    page.socket = "closed";
    const { code, reason } = event.detail.event || {};
    connection(code >= 4000 ? `${reason || "Disconnected"}. Reload the page.` : "Reconnecting… (messages you send are still delivered)");
  },
});

// A chip frame: older copies replaced, a column renamed on them. Each chip is kept a minute
// for a marker whose older answer comes after it.
const newest = new Map();
function chips(html) {
  for (const c of parse(html).firstChild.content.children) {
    const { column, chip, version } = c.dataset;
    if (chip && !(newest.get(chip)?.dataset.version >= +version)) newest.set(chip, c) && setTimeout(() => newest.get(chip) == c && newest.delete(chip), 6e4);
    for (const o of $$(column ? `.chip-column[data-column="${column}"]` : `[data-chip="${chip}"]`)) o.closest("[data-version]").dataset.version < +version && (column ? (o.textContent = c.textContent) : o.replaceWith(c.cloneNode(true)));
  }
}

function connection(text) {
  const state = $("[data-connection-state]");
  if (state) state.textContent = text;
}

function syncTitle() { // "(3) TaskFlow"
  const count = +$("[data-unread-badge]")?.dataset.count || 0;
  document.title = (count ? `(${count}) ` : "") + document.title.replace(/^\(\d+\) /, "");
}

// Polled without an open socket.
setInterval(() => page.socket !== "open" && htmx.trigger(document.body, "poll-badge"), (+page.pollSeconds || 30) * 1000);
