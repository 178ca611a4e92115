// Live unread counts on room links [data-unread-room] and totals [data-unread-total]
// (chat/unread.py explains the model). The cookie tells the server that room.js says when
// a room has been seen (without it, loading the room's page marks it read).
document.cookie = "js=1; path=/; SameSite=Lax";
const CAP = 100; // the server counts up to this many ("99+")
// room id → the server's state (read, latest counted, unread, mentions, level) and the live
// events since: message id → { author, mentioned, deleted }.
const unreadRooms = new Map();

// The server's counts plus new messages after the latest it counted, minus deleted ones it
// had counted (unless capped: the true number is unknown); shown as the room's level says.
function unreadShown(state) {
  let { unread, mentions } = state;
  for (const [id, event] of state.events) {
    const sign = id > state.latest ? +!event.deleted : -event.deleted;
    if (id <= state.read || event.author === +document.body.dataset.userId) continue;
    if (sign > 0 || state.unread < CAP) unread += sign;
    if (event.mentioned && (sign > 0 || state.mentions < CAP)) mentions += sign;
  }
  const n = Math.max({ all: unread, mentions }[state.level] || 0, 0);
  return { n, mentioned: n > 0 && mentions > 0 };
}

function showUnread(link, { n, mentioned }) {
  link.classList.toggle("unread", n > 0);
  link.classList.toggle("mentioned", mentioned);
  const badge = link.querySelector("[data-unread-count]") || (n && link.appendChild($("#unread-count").content.firstElementChild.cloneNode(true)));
  if (!badge) return;
  badge.hidden = !n;
  badge.querySelector("[data-n]").textContent = n >= CAP ? `${CAP - 1}+` : n;
}

function renderUnread(roomId) {
  const shown = unreadShown(unreadRooms.get(roomId));
  for (const link of document.querySelectorAll(`[data-unread-room="${roomId}"]:not([aria-current])`)) {
    showUnread(link, shown);
    link.hash = shown.n ? "new" : "";
  }
  for (const total of document.querySelectorAll("[data-unread-total]")) {
    const ids = total.dataset.unreadTotal.split(" ").map(Number);
    if (!ids.includes(roomId)) continue;
    const each = ids.map((id) => (unreadRooms.has(id) ? unreadShown(unreadRooms.get(id)) : { n: 0 }));
    const n = Math.min(each.reduce((sum, e) => sum + e.n, 0), CAP);
    showUnread(total, { n, mentioned: n > 0 && each.some((e) => e.mentioned) });
  }
  const level = $(`[data-level-form="${roomId}"] select`);
  if (level && document.activeElement !== level) level.value = unreadRooms.get(roomId).level;
}

on("unread", {
  "htmx:wsBeforeMessage"(event) { // these frames are read here, not swapped
    const message = event.detail.message;
    if (typeof message !== "string" || !message.startsWith("<template data-unread")) return;
    event.preventDefault();
    const parsed = document.createElement("template");
    parsed.innerHTML = message;
    for (const el of parsed.content.querySelectorAll("template")) {
      const d = el.dataset, id = +d.room, state = unreadRooms.get(id), message = +d.message;
      if (el.hasAttribute("data-unread-state")) { // a catch-up, or the user's read or level in some tab
        const live = $(`#room-live[data-room-id="${id}"]`); // room.js's read position
        const events = new Map([...state?.events || []].filter(([m]) => m > +d.latest)); // not covered yet
        unreadRooms.set(id, { read: +d.read, latest: +d.latest, unread: +d.unread, mentions: +d.mentions, level: d.level, events });
        if (live) live.dataset.read = Math.max(+live.dataset.read, +d.read);
      } else { // a message posted or deleted: the same event for everyone
        const deleted = el.hasAttribute("data-deleted");
        if (!state || (!deleted && (message <= state.latest || state.events.has(message)))) continue;
        state.events.set(message, { author: +d.author, deleted, mentioned: d.mentions.split(" ").includes(document.body.dataset.userId) });
        for (const old of state.events.keys()) if (old <= state.read) state.events.delete(old);
      }
      renderUnread(id);
    }
  },
});
