// TaskFlow's own JavaScript: only what htmx cannot do by itself. Everything works without it.
// Each behaviour finds its markup, and URLs, by data- attributes, from document listeners.
const $ = (selector) => document.querySelector(selector);

// ---- Drag and drop of cards [data-move-url] onto columns [data-column-id] (or arrow buttons)
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest?.("[data-move-url]");
  if (card) event.dataTransfer.setData("text/x-move-url", card.dataset.moveUrl);
});

document.addEventListener("dragover", (event) => {
  if (event.target.closest?.("[data-column-id]")) event.preventDefault();
});

document.addEventListener("drop", (event) => {
  const column = event.target.closest?.("[data-column-id]");
  const url = event.dataTransfer.getData("text/x-move-url");
  if (!column || !url) return;
  event.preventDefault();
  // The new position: how many other cards are above the drop point.
  const position = [...column.querySelectorAll("[data-move-url]")].filter((card) => {
    const box = card.getBoundingClientRect();
    return card.dataset.moveUrl !== url && box.top + box.height / 2 < event.clientY;
  }).length;
  htmx.ajax("POST", url, { source: column, values: { column_id: column.dataset.columnId, position } });
});

// ---- Live pages (htmx-ext-ws)

// Every change of a room has a number. The page keeps the number up to which it has seen
// every change; one that arrives early waits for the gap before it to fill, so a lost event
// is asked for again rather than skipped.
const changes = { seq: 0, early: new Set() };
function sawChange(seq) {
  if (seq > changes.seq) changes.early.add(seq);
  while (changes.early.delete(changes.seq + 1)) changes.seq += 1;
}
function syncChanges() { // [data-live-sync]: at load, and when a catch-up replaced the list
  const sync = $("[data-live-sync]");
  if (!sync) return;
  changes.seq = Math.max(changes.seq, +sync.dataset.seq || 0);
  changes.early.forEach((seq) => seq <= changes.seq && changes.early.delete(seq));
  sawChange(changes.seq);
}
syncChanges();

// Every (re)connect asks for the changes after it; the server sends those, then live ones.
let roomSocket = null; // a chat room page's current WebSocket (see replaceDeadSocket)
htmx.createWebSocket = (url) => {
  const target = new URL(url);
  const room = !!$("[data-live-sync]");
  if (room) target.searchParams.set("seq", changes.seq);
  const socket = new WebSocket(target, []);
  socket.binaryType = htmx.config.wsBinaryType;
  if (room) roomSocket = socket;
  return socket;
};

// Live swaps never go backwards: a message or comment already shown is not appended again,
// and a kanban or task (data-version) no newer than the one shown is ignored (its version is
// read before its content, so skipping an equal one loses nothing).
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const { fragment, target } = event.detail;
  if (target.hasAttribute("data-message-list")) return mergeMessages(event);
  if (target.hasAttribute("data-typing")) return mergeTypists(event);
  if (target.id === "board-diff") {
    event.detail.shouldSwap = false;
    return receiveDiff(fragment.firstElementChild);
  }
  const item = fragment.querySelector?.("[data-message-id], [data-comment-id]");
  const twin = item && document.getElementById(item.id);
  if (twin && twin !== target) event.detail.shouldSwap = false;
  if (notNewer(fragment.querySelector?.("[data-version]"), target)) event.detail.shouldSwap = false;
});
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target?.dataset?.version || !event.detail.serverResponse || event.detail.xhr.status >= 300) return;
  const incoming = /data-version="(\d+)"/.exec(event.detail.serverResponse);
  if (incoming && +incoming[1] < +target.dataset.version) event.detail.shouldSwap = false;
});

// ---- The live board: one diff per change (taskflow/boards/live.py explains the scheme)

// Each change of the board produces the next version. A diff (#board-diff, from the socket
// or as the answer to this page's own change) is applied only on top of the version before
// it; one already applied is ignored; one from further ahead waits for the missing ones,
// and if they do not come soon (a frame lost, or published out of order and never caught
// up) the page fetches the kanban afresh.
const GAP_WAIT = 1000; // ms
const early = new Map(); // version → diff waiting for the one before it
let gapTimer = null;

function receiveDiff(diff) {
  const kanban = $("#kanban");
  if (!kanban || !diff) return;
  if (+diff.dataset.version > +kanban.dataset.version) early.set(+diff.dataset.version, diff);
  applyWaitingDiffs();
  const focus = diff.dataset.focus && document.getElementById(diff.dataset.focus);
  if (focus && (!document.activeElement || document.activeElement === document.body)) focus.focus();
}

function applyWaitingDiffs() {
  const kanban = $("#kanban");
  if (!kanban) return;
  for (const version of early.keys()) if (version <= +kanban.dataset.version) early.delete(version);
  let next;
  while ((next = early.get(+kanban.dataset.version + 1))) {
    early.delete(+kanban.dataset.version + 1);
    applyDiff(kanban, next);
  }
  clearTimeout(gapTimer);
  if (early.size) gapTimer = setTimeout(refetchKanban, GAP_WAIT);
}

function refetchKanban() {
  const kanban = $("#kanban");
  if (kanban) htmx.ajax("GET", kanban.dataset.url, { source: kanban, target: "#kanban", swap: "outerHTML" });
}

// Each child of a diff is one operation (templates/boards/_diff.html).
function applyDiff(kanban, diff) {
  for (const op of [...diff.children]) {
    const twin = op.id && document.getElementById(op.id);
    switch (op.dataset.op) {
      case "card": placeCard(op); break;
      case "remove": document.getElementById(op.dataset.id)?.remove(); break;
      case "replace": if (twin) { twin.replaceWith(op); htmx.process(op); } break;
      case "column":
        if (twin) twin.replaceWith(op);
        else kanban.querySelector(".new-column").before(op);
        htmx.process(op);
        break;
      case "order": {
        const last = kanban.querySelector(".new-column");
        for (const id of op.dataset.ids.split(",")) {
          const column = document.getElementById(`column-${id}`);
          if (column) kanban.insertBefore(column, last);
        }
        break;
      }
    }
  }
  kanban.dataset.version = diff.dataset.version;
  showMore(kanban);
}

// A page shows the first cards of each column: a card lands at its position if that is
// within them or just after them; further down only the column's count changes.
function placeCard(card) {
  const twin = document.getElementById(card.id);
  if (twin && +twin.dataset.version > +card.dataset.version) return; // it shows a newer one
  twin?.remove();
  const list = document.getElementById(`column-${card.dataset.inColumn}-cards`);
  const position = +card.dataset.position;
  if (!list || position > list.children.length) return;
  list.insertBefore(card, list.children[position] || null);
  htmx.process(card);
}

// "Show N more": how many of each column's cards the page does not show.
function showMore(kanban) {
  for (const link of kanban.querySelectorAll("[data-show-more]")) {
    const column = link.closest("[data-column-id]");
    const count = +column.querySelector(".column-head .count").dataset.count;
    const hidden = count - document.getElementById(link.dataset.showMore).children.length;
    link.hidden = hidden <= 0;
    link.textContent = `Show ${hidden} more`;
  }
}

// "Show more" asks for the cards after those the page shows now...
document.addEventListener("htmx:configRequest", (event) => {
  const link = event.detail.elt.closest?.("[data-show-more]");
  if (link) event.detail.parameters.offset = document.getElementById(link.dataset.showMore).children.length;
});
// ...which continue the page's columns only if they were read at the page's version:
// otherwise the kanban is fetched afresh.
document.addEventListener("htmx:afterRequest", (event) => {
  const kanban = $("#kanban");
  if (!kanban || !event.detail.successful || !event.detail.elt.matches?.("[data-show-more]")) return;
  const version = event.detail.xhr.getResponseHeader("X-Board-Version");
  if (version !== kanban.dataset.version) refetchKanban();
  else showMore(kanban);
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target?.id === "kanban") applyWaitingDiffs(); // fetched afresh
});
document.addEventListener("htmx:oobAfterSwap", (event) => {
  if (event.target.id === "kanban") applyWaitingDiffs(); // a catch-up replaced the kanban
});
// A comment landing in a thread that had none takes the place of its "No comments yet" (an
// oob delete of it would log an error on every page that no longer shows it).
document.addEventListener("htmx:oobAfterSwap", (event) => {
  if (event.detail.target?.id !== "comments") return;
  if ($("#comments [data-comment-id]")) $("#no-comments")?.remove();
});

// A message change, live or caught up, into [data-message-list]: append a new message,
// replace or remove the copy the page shows, ignore one older than the page's window. A
// catch-up of the whole list replaces it (its messages must not be taken out of it).
function mergeMessages(event) {
  const { fragment, target } = event.detail;
  const whole = fragment.firstElementChild?.hasAttribute("data-message-list");
  const shown = target.querySelectorAll("[data-message-id]");
  const newest = shown.length ? +shown[shown.length - 1].dataset.messageId : 0;
  for (const item of [...fragment.querySelectorAll("[data-message-id]")]) {
    sawChange(+item.dataset.seq);
    acknowledge(item.dataset.clientId);
    if (whole) continue;
    const twin = document.getElementById(item.id);
    const deleted = item.hasAttribute("data-deleted");
    // Others change a message too now (reactions): an older copy arriving late is dropped,
    // and the author's open editor stays open; Esc shows this newer copy (composer_keys.js).
    if (twin && +twin.dataset.seq > +item.dataset.seq) { item.remove(); continue; }
    if (twin?.classList.contains("editing") && !deleted) { twin.latest = item; item.remove(); continue; }
    if (twin && !deleted) {
      twin.replaceWith(item);
      htmx.process(item);
    } else {
      twin?.remove();
      if (deleted || +item.dataset.messageId < newest) item.remove();
    }
  }
  if (!whole && !fragment.querySelector("[data-message-id]")) event.detail.shouldSwap = false;
}

// A message's Edit and Delete are plain links (the message is rendered once for every viewer,
// with no form or token; without JavaScript they open the edit and confirmation pages):
// here Edit opens the editor in place, and Delete asks, then posts with the page's token.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("[data-message-list] .message :is(a.edit, a.delete)");
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const options = { source: link, target: link.closest(".message"), swap: "outerHTML" };
  if (link.classList.contains("edit")) htmx.ajax("GET", link.href, options);
  else if (confirm("Delete this message?")) htmx.ajax("POST", link.href, options);
});

// A room's diff frame (chat/room_diffs.py) carries each changed typist's line: it replaces
// the line the page shows for that typist, and a stopped one only removes it.
function mergeTypists(event) {
  for (const typer of [...event.detail.fragment.querySelectorAll("[id^='typer-']")]) {
    document.getElementById(typer.id)?.remove();
    if (typer.hasAttribute("data-stopped")) typer.remove();
  }
}

function notNewer(incoming, current) {
  return incoming && current?.id === incoming.id && current.dataset.version &&
    +incoming.dataset.version <= +current.dataset.version;
}

// Keep focus, and what the user was typing, on the element with the same id across a live
// swap (hx-preserve loses an input's focus and caret, and would keep stale forms).
let kept = null;
document.addEventListener("htmx:wsBeforeMessage", () => {
  const active = document.activeElement;
  kept = active?.id && active !== document.body
    ? { id: active.id, value: active.value, start: active.selectionStart, end: active.selectionEnd }
    : null;
});
document.addEventListener("htmx:wsAfterMessage", () => {
  if (!kept || document.activeElement?.id === kept.id) return;
  const again = document.getElementById(kept.id);
  if (!again) return;
  if (kept.value !== undefined && "value" in again && again.type !== "submit") {
    again.value = kept.value;
    if (kept.start != null) again.setSelectionRange?.(kept.start, kept.end);
  }
  again.focus();
});

let liveSocket = null; // the page's socket wrapper while it is open
document.addEventListener("htmx:wsOpen", (event) => {
  liveSocket = event.detail.socketWrapper;
  document.body.dataset.socket = "open";
  setConnectionState("");
  resendOutbox();
});
document.addEventListener("htmx:wsClose", (event) => {
  liveSocket = null;
  document.body.dataset.socket = "closed";
  const { code, reason } = event.detail.event || {};
  // 44xx: the server ended this page's access (logged out, removed, deleted): no retry.
  setConnectionState(code >= 4000 ? `${reason || "Disconnected"}. Reload the page.`
    : "Reconnecting… (messages you send are still delivered)");
});

function setConnectionState(text) {
  const state = $("[data-connection-state]");
  if (state) state.textContent = text;
}

// ---- Sending a message: nothing lost

// A message sent by the [data-outbox] form waits in the outbox until its broadcast (with its
// client id, saved at most once) comes back: sent again when the socket reopens, or over HTTP.
// One sent over the socket and not answered within ANSWER_WITHIN goes once more over HTTP, on
// a new connection, and the socket is replaced: it may be dead while it still looks open (a
// NAT or load balancer that forgot it), or its frame lost as it dropped.
const outbox = new Map(); // client id → { content, replyTo, sentAt, overHttp }
const ANSWER_WITHIN = 3000; // ms a socket has to acknowledge a message
const NOT_SENT_AFTER = 5000; // ms without an acknowledgement before "Not sent — Retry"
const HTTP_WITHIN = 15000; // ms an HTTP send may take before the next one goes
let typing = false; // this page said its user is typing ([data-outbox] only)

function newClientId() {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

document.addEventListener("htmx:wsConfigSend", (event) => {
  const params = event.detail.parameters;
  // "typing" (a throttled ws-send in the markup): never queued for a reconnect, nor empty.
  if (params.type === "typing") {
    typing = !!liveSocket && !!$("[data-outbox] textarea")?.value;
    if (!typing) event.preventDefault();
    return;
  }
  const form = event.target.closest("[data-outbox]");
  if (!form) return;
  const earlier = outbox.get(params.client_id);
  if (earlier && earlier.content.trim() !== params.content.trim()) {
    params.client_id = form.elements.client_id.value = newClientId(); // a different message
  }
  const entry = { content: params.content, replyTo: params.reply_to || "", sentAt: Date.now(), overHttp: !liveSocket };
  outbox.set(params.client_id, entry);
  showOutbox();
  if (entry.overHttp) {
    event.preventDefault();
    sendOverHttp(params.client_id);
  }
});

// One HTTP send at a time: htmx keeps only the newest of the requests waiting behind the one
// in flight from the same form (of three messages sent together, the second would be lost).
let httpSends = Promise.resolve();
function sendOverHttp(clientId) {
  httpSends = httpSends.then(() => postOverHttp(clientId)).catch(() => {});
}

document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.matches?.("[data-outbox]")) event.detail.timeout = HTTP_WITHIN;
});

function postOverHttp(clientId) {
  const form = $("[data-outbox]");
  const entry = outbox.get(clientId);
  if (!form || !entry) return null; // acknowledged while it waited
  // The answer carries every change the page is missing, this message included.
  const values = { content: entry.content, client_id: clientId, seq: changes.seq, reply_to: entry.replyTo };
  const sent = htmx.ajax("POST", form.action, { source: form, swap: "none", values });
  // (htmx leaves its promise pending if a swap throws: the next send does not wait for ever)
  return Promise.race([sent, new Promise((done) => setTimeout(done, HTTP_WITHIN))]);
}

function resendOutbox() {
  for (const [clientId, entry] of outbox) {
    entry.sentAt = Date.now();
    entry.overHttp = !liveSocket;
    const frame = { content: entry.content, client_id: clientId, reply_to: entry.replyTo };
    if (liveSocket) liveSocket.send(JSON.stringify(frame));
    else sendOverHttp(clientId);
  }
  showOutbox();
}

// Unanswered over the socket: over HTTP, once (a failure there waits for the socket to reopen,
// or for Retry), and a new socket.
function sendUnansweredOverHttp() {
  const now = Date.now();
  let unanswered = false;
  for (const [clientId, entry] of outbox) {
    if (entry.overHttp || now - entry.sentAt < ANSWER_WITHIN) continue;
    entry.overHttp = unanswered = true;
    sendOverHttp(clientId);
  }
  if (unanswered) replaceDeadSocket();
}

// A socket that looks open but does not answer is replaced at once (its page then catches up
// and resends the outbox). The old one is silenced first: its close, whenever the dead
// connection reports it, must neither mark the page disconnected nor make htmx-ext-ws
// replace the new one.
function replaceDeadSocket() {
  const dead = roomSocket;
  if (!liveSocket || !dead) return;
  dead.onopen = dead.onmessage = dead.onerror = dead.onclose = null;
  liveSocket.reconnect();
}

// Saved: clear the composer unless another message was started in it.
function acknowledge(clientId) {
  const entry = clientId && outbox.get(clientId);
  if (!entry) return;
  outbox.delete(clientId);
  const form = $("[data-outbox]");
  const input = form?.querySelector("textarea");
  if (input && input.value.trim() === entry.content.trim()) input.value = "";
  if (form?.elements.client_id.value === clientId) form.elements.client_id.value = newClientId();
  showOutbox();
}

function showOutbox() {
  const box = $("[data-outbox-status]");
  if (!box) return;
  const now = Date.now();
  const waiting = [...outbox.values()].filter((entry) => now - entry.sentAt > 1000);
  const stuck = waiting.some((entry) => now - entry.sentAt > NOT_SENT_AFTER);
  box.hidden = waiting.length === 0;
  $("[data-outbox-state]").textContent = stuck ? "Not sent." : "Sending…";
  $("[data-outbox-retry]").hidden = !stuck;
}
setInterval(() => {
  if (!outbox.size) return;
  sendUnansweredOverHttp();
  showOutbox();
}, 1000);

document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-outbox-retry]")) resendOutbox();
});
// The HTTP fallback failed too: say so now.
for (const failure of ["htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(failure, (event) => {
    if (!event.detail.elt?.matches?.("[data-outbox]")) return;
    outbox.forEach((entry) => { entry.sentAt = 0; });
    showOutbox();
  });
}

document.addEventListener("htmx:oobAfterSwap", (event) => {
  const swapped = event.target;
  // A refused message is no longer on its way...
  if (swapped.matches?.("[data-socket-error]") && swapped.textContent.trim()) {
    outbox.clear();
    showOutbox();
  }
  if (swapped.matches?.("[data-live-sync]")) syncChanges();
  // ...and comes back into the composer: keep typing in it.
  if (swapped.matches?.("[data-composer] textarea")) swapped.focus();
});

// ---- Keyboard-driven chat: every [data-composer] form

function stopTyping() {
  typing = false;
  if (liveSocket && $("[data-outbox]")) liveSocket.send(JSON.stringify({ type: "stop_typing" }));
}

// A form that posts over HTTP [data-clear-on-success]: clear it once saved.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!event.detail.successful || !form.matches?.("[data-clear-on-success]")) return;
  form.reset();
  form.querySelector("textarea")?.focus();
});

document.addEventListener("keydown", (event) => {
  const composer = event.target.closest?.("[data-composer] textarea");
  if (composer) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      typing = false; // the server clears it with the message
      if (composer.value.trim()) composer.form.requestSubmit();
    } else if (event.key === "Escape") {
      composer.value = "";
      stopTyping();
    }
    return;
  }
  const inField = event.target.closest?.("input, textarea, select, [contenteditable]");
  if (event.key === "/" && !inField) {
    const target = $("[data-composer] textarea");
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }
  if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    const links = [...document.querySelectorAll("[data-room-link]")];
    const current = links.findIndex((link) => link.getAttribute("aria-current") === "page");
    const next = links[current + (event.key === "ArrowUp" ? -1 : 1)];
    if (next) {
      event.preventDefault();
      next.click();
    }
  }
});

// "alice is typing…" (sent by htmx) is cleared on blur and on send.
document.addEventListener("focusout", (event) => {
  if (typing && event.target.closest?.("[data-composer] textarea")) stopTyping();
});

// A typing indicator [data-expires-in] goes after that many seconds unless a newer one
// replaced it, even if the typist's page, or this one, went quiet.
setInterval(() => {
  const now = Date.now();
  document.querySelectorAll("[data-expires-in]").forEach((typer) => {
    typer.dataset.expiresAt ||= now + typer.dataset.expiresIn * 1000;
    if (now > typer.dataset.expiresAt) typer.remove();
  });
}, 500);

// ---- @mention autocomplete (the options come from the server)

// The field stays a textbox (a textarea may not be a combobox): aria-autocomplete="list" and
// aria-controls name the list, aria-activedescendant the option Enter or Tab would pick.

// A field [data-mention-box="<box id>"], its box, and the field whose box holds `node`.
const boxOf = (field) => document.getElementById(field.dataset.mentionBox);
const mentionField = (node) => [...document.querySelectorAll("[data-mention-box]")]
  .find((field) => boxOf(field)?.contains(node));

// The server finds the "@partial" being typed from the caret.
document.addEventListener("htmx:configRequest", (event) => {
  const field = event.detail.elt;
  if (field.dataset?.mentionBox) event.detail.parameters.caret = field.selectionStart;
});

document.addEventListener("htmx:afterSwap", (event) => {
  const box = event.detail.target;
  const field = mentionField(box);
  if (!field) return;
  const active = box.querySelector('[aria-selected="true"]');
  if (active) field.setAttribute("aria-activedescendant", active.id);
  else field.removeAttribute("aria-activedescendant");
});

const mentionOptions = (field) => [...boxOf(field)?.querySelectorAll('[role="option"]') || []];

function closeMentions(field) {
  const box = boxOf(field);
  if (box) box.innerHTML = "";
  field.removeAttribute("aria-activedescendant");
}

function insertMention(field, username) {
  const caret = field.selectionStart;
  const before = field.value.slice(0, caret).replace(/@[\w.\-]*$/, `@${username} `);
  field.value = before + field.value.slice(caret);
  field.setSelectionRange(before.length, before.length);
  closeMentions(field);
  field.focus();
}

// Runs before the composer's own keys: with the list open, Enter and Tab pick a name.
document.addEventListener("keydown", (event) => {
  const field = event.target.closest?.("[data-mention-box]");
  const options = field ? mentionOptions(field) : [];
  if (!options.length) return;
  const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = (current + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
    options.forEach((o, i) => o.setAttribute("aria-selected", i === next ? "true" : "false"));
    field.setAttribute("aria-activedescendant", options[next].id);
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    event.stopImmediatePropagation();
    insertMention(field, options[Math.max(current, 0)].dataset.username);
  } else if (event.key === "Escape") {
    event.stopImmediatePropagation();
    closeMentions(field);
  }
}, true);

document.addEventListener("click", (event) => {
  const option = event.target.closest?.('[role="option"][data-username]');
  const field = option && mentionField(option);
  if (field) insertMention(field, option.dataset.username);
});

// ---- The unread badge [data-unread-badge]

// The tab title shows the count: "(3) TaskFlow".
function syncTitle() {
  const badge = $("[data-unread-badge]");
  if (!badge) return;
  const count = +badge.dataset.count || 0;
  document.title = (count ? `(${count}) ` : "") + document.title.replace(/^\(\d+\) /, "");
}
document.addEventListener("htmx:oobAfterSwap", syncTitle);
document.addEventListener("htmx:afterSwap", syncTitle);

// While the page has no open socket, poll the badge over HTTP.
setInterval(() => {
  if (document.body.dataset.socket !== "open" && $("[data-unread-badge]")) {
    htmx.trigger(document.body, "poll-badge");
  }
}, (+document.body.dataset.pollSeconds || 30) * 1000);
