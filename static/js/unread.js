// Live unread counts on room links and totals (docs/javascript.md, chat/unread.py).
document.cookie = "js=1; path=/; SameSite=Lax";
const CAP = 100; // the server's "99+"
const unreadRooms = new Map();

function unreadShown(state) {
  let { unread, mentions } = state;
  for (const [id, event] of state.events) {
    const sign = id > state.latest ? +!event.deleted : -event.deleted;
    if (id <= state.read || event.author === +page.userId) continue;
    if (sign > 0 || state.unread < CAP) unread += sign;
    if (event.mentioned && (sign > 0 || state.mentions < CAP)) mentions += sign;
  }
  const n = Math.max({ all: unread, mentions }[state.level] || 0, 0);
  return { n, mentioned: n > 0 && mentions > 0 };
}

function showUnread(link, { n, mentioned }) {
  link.classList.toggle("unread", n > 0);
  link.classList.toggle("mentioned", mentioned);
  const badge = link.querySelector("[data-unread-count]") || (n && link.appendChild(copy("#unread-count")));
  if (!badge) return;
  badge.hidden = !n;
  badge.querySelector("[data-n]").textContent = n >= CAP ? `${CAP - 1}+` : n;
}

function renderUnread(roomId) {
  const shown = unreadShown(unreadRooms.get(roomId));
  for (const link of $$(`[data-unread-room="${roomId}"]:not([aria-current])`)) {
    showUnread(link, shown);
    link.hash = shown.n ? "new" : "";
  }
  for (const total of $$("[data-unread-total]")) {
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
  "htmx:wsBeforeMessage"(event) { // read here, not swapped
    const message = event.detail.message;
    if (typeof message !== "string" || !message.startsWith("<template data-unread")) return;
    event.preventDefault();
    for (const el of parse(message).querySelectorAll("template")) {
      const d = el.dataset, id = +d.room, state = unreadRooms.get(id), message = +d.message;
      if (el.hasAttribute("data-unread-state")) { // the server's counts
        const live = $(`#room-live[data-room-id="${id}"]`);
        const events = new Map([...state?.events || []].filter(([m]) => m > +d.latest));
        unreadRooms.set(id, { read: +d.read, latest: +d.latest, unread: +d.unread, mentions: +d.mentions, level: d.level, events });
        if (live) live.dataset.read = Math.max(+live.dataset.read, +d.read);
      } else { // a message posted or deleted
        const deleted = el.hasAttribute("data-deleted");
        if (!state || (!deleted && (message <= state.latest || state.events.has(message)))) continue;
        state.events.set(message, { author: +d.author, deleted, mentioned: d.mentions.split(" ").includes(page.userId) });
        for (const old of state.events.keys()) if (old <= state.read) state.events.delete(old);
      }
      renderUnread(id);
    }
  },
});
