// A chat room (data-js="room-live"): merge, outbox, typing, replies, edits, seen
// (docs/javascript.md).
const myId = page.userId;
const roomLive = $("#room-live");
const scroller = roomLive.querySelector(".scroller");
const composer = () => $("[data-outbox] textarea");
const changes = stream(0); // a (re)connect asks for those after seq
const outbox = new Map(); // client id → { content, replyTo, since, sentAt, overHttp }
let socket = null, webSocket = null, typing = false, loading = null;
let httpSends = Promise.resolve(); // one at a time
let sent = 0, lastSent = 0, seenTimer = null;

const lastId = (items) => +[...items].pop()?.dataset.messageId || 0;
const sendFrame = (frame) => socket?.send(JSON.stringify(frame));

function sawChange(seq) {
  changes.add(seq);
  while (changes.next());
}
const syncChanges = () => sawChange(changes.seq = Math.max(changes.seq, +$("[data-live-sync]").dataset.seq));
syncChanges();
htmx.createWebSocket = (url) => {
  const target = new URL(url);
  target.searchParams.set("seq", changes.seq);
  return webSocket = new WebSocket(target); // text frames only: no binaryType
};

function mergeMessages({ detail }) {
  const whole = detail.fragment.firstElementChild?.hasAttribute("data-message-list");
  const newest = lastId(detail.target.querySelectorAll("[data-message-id]"));
  for (const item of [...detail.fragment.querySelectorAll("[data-message-id]")]) {
    sawChange(+item.dataset.seq);
    acknowledge(item.dataset.clientId);
    if (whole) continue;
    const twin = byId(item.id);
    const deleted = item.hasAttribute("data-deleted");
    if (twin && (+twin.dataset.seq > +item.dataset.seq || (twin.matches(".editing") && !deleted))) item.remove();
    else if (twin && !deleted) {
      twin.replaceWith(item);
      htmx.process(item);
    } else {
      twin?.remove();
      if (deleted || +item.dataset.messageId < newest) item.remove();
    }
  }
  if (!whole && !detail.fragment.querySelector("[data-message-id]")) detail.shouldSwap = false;
}

function expireTypists() {
  for (const typer of $$("[data-expires-in]:not([data-expiring])")) {
    typer.dataset.expiring = "";
    setTimeout(() => typer.remove(), typer.dataset.expiresIn * 1000);
  }
}
expireTypists();

// The outbox: kept until its broadcast comes back; over HTTP after 3 s unanswered.
function sendOverHttp(clientId) {
  httpSends = httpSends.then(() => {
    const form = $("[data-outbox]"), entry = outbox.get(clientId);
    if (!form || !entry) return;
    const values = { content: entry.content, client_id: clientId, seq: changes.seq, reply_to: entry.replyTo };
    return htmx.ajax("POST", form.action, { source: form, swap: "none", values }); // hx-request: 15 s
  }).catch(() => {});
}

function resendOutbox() {
  for (const [clientId, entry] of outbox) {
    Object.assign(entry, { sentAt: Date.now(), overHttp: !socket });
    if (socket) sendFrame({ content: entry.content, client_id: clientId, reply_to: entry.replyTo });
    else sendOverHttp(clientId);
  }
}

function acknowledge(clientId) {
  const entry = clientId && outbox.get(clientId), form = $("[data-outbox]");
  if (!entry) return;
  outbox.delete(clientId);
  if (composer()?.value.trim() === entry.content.trim()) composer().value = "";
  if (form?.elements.client_id.value === clientId) form.elements.client_id.value = newClientId();
  showOutbox();
}

function newClientId() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function showOutbox() { // "Sending…" after a second
  const box = $("[data-outbox-status]");
  if (box) box.hidden = ![...outbox.values()].some((entry) => Date.now() - entry.since > 1000);
}

setInterval(() => {
  let unanswered = false;
  for (const [clientId, entry] of outbox) {
    if (entry.overHttp || Date.now() - entry.sentAt < 3000) continue;
    entry.overHttp = unanswered = true;
    sendOverHttp(clientId);
  }
  if (unanswered && socket) { // replaced, silently
    webSocket.onopen = webSocket.onmessage = webSocket.onerror = webSocket.onclose = null;
    socket.reconnect();
  }
  showOutbox();
}, 1000);

function httpFailed({ detail }) { // tried again in 3 s
  if (detail.elt?.matches?.("[data-outbox]")) outbox.forEach((entry) => Object.assign(entry, { sentAt: Date.now(), overHttp: false }));
}

function stopTyping() {
  typing = false;
  sendFrame({ type: "stop_typing" });
}

function cancelReply() {
  $("#replying").hidden = true;
  $("#composer-reply-to").value = "";
}

// A quote's original: older pages are loaded until it is shown.
async function reveal(quote) {
  const id = `message-${quote.dataset.replyQuote}`;
  for (let pages = 0, link; !byId(id) && pages < 20 && (link = $("#load-older a")); pages++) {
    if (!await new Promise((done) => {
      loading = { link, done, timer: setTimeout(done, 10000) };
      link.click();
    })) break;
  }
  const original = byId(id);
  if (!original) return location.assign(quote.href);
  original.tabIndex = -1;
  original.focus(); // scrolled to
  original.classList.add("highlighted");
  setTimeout(() => original.classList.remove("highlighted"), 2500);
}

on("room", { // Alt+↑/↓ switch rooms
  keydown(event) {
    const links = event.altKey ? $$("[data-room-link]") : [];
    const next = links[links.findIndex((link) => link.matches("[aria-current]")) + { ArrowUp: -1, ArrowDown: 1 }[event.key]];
    if (!next || event.target.closest?.(".editing")) return;
    event.preventDefault();
    next.click();
  },
});

on("editor", { // Esc: the edit's Cancel
  keydown(event, field) {
    if (event.key !== "Escape" || event.isComposing) return;
    event.preventDefault();
    htmx.trigger(field.form.querySelector("[hx-get]"), "click");
    return true;
  },
});

on("room-live", {
  "htmx:oobBeforeSwap"(event) { // merged here, not by live.js
    const target = event.detail.target;
    if (target.hasAttribute("data-message-list")) return mergeMessages(event) || true;
    if (!target.matches("[data-typing]")) return;
    for (const typer of event.detail.fragment.querySelectorAll("[id^='typer-']")) {
      byId(typer.id)?.remove();
      if (typer.hasAttribute("data-stopped")) typer.remove();
    }
    return true;
  },
  "htmx:oobAfterSwap"({ target }) {
    if (target.matches("[data-socket-error]") && target.textContent.trim()) {
      outbox.clear(); // refused
      showOutbox();
    }
    if (target.matches("[data-live-sync]")) syncChanges();
    if (target.matches("[data-composer] textarea")) target.focus();
    expireTypists();
  },
  "htmx:afterSwap"({ target }) {
    if (loading && !loading.link.isConnected) {
      clearTimeout(loading.timer);
      loading = loading.done(true);
    }
    if (target.id === "replying") composer()?.focus();
  },
  "htmx:afterSettle"({ target, detail }) {
    const days = new Set();
    for (const separator of $$("[data-message-list] .day-separator")) {
      if (days.has(separator.dataset.day)) separator.remove();
      days.add(separator.dataset.day);
    }
    if (detail.requestConfig?.elt?.closest?.(".message.editing") && target.matches(".message:not(.editing)") && idle()) composer()?.focus();
  },
  "htmx:wsOpen"({ detail }) {
    socket = detail.socketWrapper;
    resendOutbox();
    tellVisibility();
    markSeen();
  },
  "htmx:wsClose"() { socket = null; },
  "htmx:wsAfterMessage"() {
    if (seen()) markSeen();
    else placeDivider();
  },
  "htmx:wsConfigSend"(event) {
    const params = event.detail.parameters, form = event.target.closest("[data-outbox]");
    if (params.type === "typing") {
      typing = !!socket && !!composer()?.value;
      if (!typing) event.preventDefault();
    } else if (form) {
      if (outbox.get(params.client_id) && outbox.get(params.client_id).content.trim() !== params.content.trim()) {
        params.client_id = form.elements.client_id.value = newClientId(); // a different message
      }
      outbox.set(params.client_id, { content: params.content, replyTo: params.reply_to || "", since: Date.now(), sentAt: Date.now(), overHttp: !socket });
      cancelReply();
      if (socket) return;
      event.preventDefault();
      sendOverHttp(params.client_id);
    }
  },
  "htmx:sendError": httpFailed,
  "htmx:timeout": httpFailed,
  click(event) {
    const link = event.target.closest(".message > :is(.edit, .delete, .reply), [data-reply-quote], [data-reply-cancel]");
    if (!link || !plain(event)) return;
    event.preventDefault();
    const message = link.closest(".message");
    if (link.matches("[data-reply-cancel]")) {
      cancelReply();
      composer().focus();
    } else if (link.matches("[data-reply-quote]")) reveal(link);
    else if (link.matches(".reply")) htmx.ajax("GET", `/messages/${message.dataset.messageId}/reply`, { target: "#replying", swap: "outerHTML" });
    else if (link.matches(".edit") || confirm("Delete this message?")) {
      htmx.ajax(link.matches(".edit") ? "GET" : "POST", link.href, { source: link, target: message, swap: "outerHTML" });
    }
    return true;
  },
  keydown(event) { // the list: one Tab stop (the others inert for the key), ↑/↓, Esc out
    const field = event.target.closest("[data-outbox] textarea"), here = event.target.closest(".message"), list = $$(".message");
    const to = list[(here ? list.indexOf(here) : list.length) + ({ ArrowUp: -1, ArrowDown: 1 }[event.key] || NaN)];
    if (event.key === "Tab") {
      for (const m of list) m.inert = m !== here;
      setTimeout(() => { for (const m of list) m.inert = false; });
    }
    if (to && !event.altKey && event.target.matches(".message, .scroller")) {
      event.preventDefault();
      to.tabIndex = -1;
      to.focus();
    }
    if (event.key === "Escape" && here) composer().focus();
    if (!field || event.isComposing) return;
    if (event.key === "Enter") typing = false;
    if (event.key === "Escape") {
      cancelReply();
      stopTyping();
    }
    if (event.key !== "ArrowUp" || field.value || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const edit = $$(`.message[data-author-id="${myId}"]:not(.editing, .notice)`).pop()?.querySelector(".edit");
    if (edit) {
      event.preventDefault();
      edit.click();
    }
  },
  focusout(event) {
    if (typing && event.target.matches("[data-composer] textarea")) stopTyping();
  },
});

// Seen: the newest message shown, at most once a second; else the "New" divider.
const readUpTo = () => Math.max(+roomLive.dataset.read, sent);
const seen = () => document.visibilityState === "visible" && (getComputedStyle(scroller).flexDirection === "column-reverse"
  ? Math.abs(scroller.scrollTop) < 8 : scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop < 8);

function markSeen() {
  const newest = lastId(roomLive.querySelectorAll("#messages [data-message-id]:not([data-deleted])"));
  clearTimeout(seenTimer);
  if (!seen() || newest <= readUpTo() || (!socket && page.socket !== "closed")) return;
  if (Date.now() < lastSent + 1000) return void (seenTimer = setTimeout(markSeen, lastSent + 1000 - Date.now()));
  sent = newest;
  lastSent = Date.now();
  if (socket) sendFrame({ type: "read", message: newest });
  else htmx.ajax("POST", `/rooms/${roomLive.dataset.roomId}/read`, { swap: "none", values: { message: newest } });
}

function placeDivider() {
  const first = [...roomLive.querySelectorAll("#messages .message")].find((m) => +m.dataset.messageId > readUpTo() && m.dataset.authorId !== myId);
  const divider = $("#new-divider") || copy("#new-divider-template");
  if (first && divider.nextElementSibling !== first) first.before(divider);
}

const tellVisibility = () => sendFrame({ type: "viewing", visible: document.visibilityState === "visible" });
document.addEventListener("visibilitychange", () => tellVisibility() || markSeen()); // not delegated:
scroller.addEventListener("scroll", markSeen, { passive: true }); // neither bubbles
$("#new-divider")?.scrollIntoView({ block: "center" });
markSeen();
