// Live unread counts (taskflow/chat/unread.py explains the model) on every room link
// [data-unread-room] and total [data-unread-total]. Without JavaScript the server renders the
// counts and marks a room read when its page loads; with this cookie it leaves that to the
// page (room.js says when it has been seen).
(() => {
  document.cookie = "js=1; path=/; SameSite=Lax";
  const me = +document.body.dataset.userId;
  const CAP = 100; // the server counts at most this many ("99+")
  // room id → the server's state (read position, newest message counted, counts, level) and
  // the live events since: message id → { author, mentioned, deleted }.
  const rooms = new Map();

  // The server's counts, plus new messages after the newest it counted, minus deleted ones
  // it had counted (unless capped: then the true number is unknown); by the room's level.
  function shown(state) {
    let { unread, mentions } = state;
    for (const [id, event] of state.events) {
      if (id <= state.read || event.author === me) continue;
      const sign = id > state.latest ? (event.deleted ? 0 : 1) : (event.deleted ? -1 : 0);
      if (sign > 0 || state.unread < CAP) unread += sign;
      if (event.mentioned && (sign > 0 || state.mentions < CAP)) mentions += sign;
    }
    const n = { all: unread, mentions }[state.level] || 0;
    return { n: Math.max(n, 0), mentioned: n > 0 && mentions > 0 };
  }

  function showCount(link, n, mentioned) {
    link.classList.toggle("unread", n > 0);
    link.classList.toggle("mentioned", n > 0 && mentioned);
    let badge = link.querySelector("[data-unread-count]");
    if (!badge && n > 0) badge = link.appendChild($("#unread-count").content.firstElementChild.cloneNode(true));
    if (badge) {
      badge.hidden = n === 0;
      badge.querySelector("[data-n]").textContent = n >= CAP ? `${CAP - 1}+` : n;
    }
  }

  function render(roomId) {
    const { n, mentioned } = shown(rooms.get(roomId));
    for (const link of document.querySelectorAll(`[data-unread-room="${roomId}"]:not([aria-current])`)) {
      showCount(link, n, mentioned);
      const url = new URL(link.href);
      url.hash = n > 0 ? "new" : "";
      link.href = url.href;
    }
    for (const total of document.querySelectorAll("[data-unread-total]")) {
      const ids = total.dataset.unreadTotal.split(" ").filter(Boolean).map(Number);
      if (!ids.includes(roomId)) continue;
      const each = ids.map((id) => (rooms.has(id) ? shown(rooms.get(id)) : { n: 0 }));
      showCount(total, Math.min(each.reduce((sum, e) => sum + e.n, 0), CAP), each.some((e) => e.mentioned));
    }
    const level = $(`[data-level-form="${roomId}"] select`);
    if (level && document.activeElement !== level) level.value = rooms.get(roomId).level;
  }

  // A room's state from the server (a catch-up, or the user's own read or level in some
  // tab); live events it does not cover yet are kept.
  function applyState(el) {
    const id = +el.dataset.room, latest = +el.dataset.latest;
    const events = new Map([...rooms.get(id)?.events || []].filter(([messageId]) => messageId > latest));
    rooms.set(id, { read: +el.dataset.read, latest, unread: +el.dataset.unread,
      mentions: +el.dataset.mentions, level: el.dataset.level, events });
    render(id);
    const live = $(`#room-live[data-room-id="${id}"]`); // room.js reads its read position here
    if (live) live.dataset.read = Math.max(+live.dataset.read, +el.dataset.read);
  }

  // A message posted (or deleted) in one of the rooms: the same event for everyone.
  function applyActivity(el) {
    const id = +el.dataset.room, state = rooms.get(id);
    if (!state) return;
    const messageId = +el.dataset.message, deleted = el.hasAttribute("data-deleted");
    if (!deleted && (messageId <= state.latest || state.events.has(messageId))) return;
    state.events.set(messageId, { author: +el.dataset.author, deleted,
      mentioned: el.dataset.mentions.split(" ").includes(String(me)) });
    for (const old of state.events.keys()) if (old <= state.read) state.events.delete(old);
    render(id);
  }

  on("unread", {
    "htmx:wsBeforeMessage"(event) { // these frames are read here, not swapped by htmx
      const message = event.detail.message;
      if (typeof message !== "string" || !message.startsWith("<template data-unread")) return;
      event.preventDefault();
      const parsed = document.createElement("template");
      parsed.innerHTML = message;
      for (const el of parsed.content.querySelectorAll("template")) {
        if (el.hasAttribute("data-unread-state")) applyState(el);
        else applyActivity(el);
      }
    },
  });
})();
