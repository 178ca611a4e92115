// Knowing what is new (taskflow/chat/unread.py explains the model): live unread counts on
// every room link [data-unread-room] and total [data-unread-total], the "New" divider, and
// telling the server when the open room has been seen. Without JavaScript the server renders
// the counts and marks a room read when its page loads.
(() => {
  const me = +document.body.dataset.userId || 0;
  // A room page requested with this cookie marks nothing read when it loads: this page says
  // when it has been seen instead (seen(), below).
  document.cookie = "js=1; path=/; SameSite=Lax";

  const CAP = 100; // the server counts at most this many ("99+")
  // room id → what the server said (read position, newest message it counted, counts, level)
  // and the live events since: message id → { author, mentioned, deleted }.
  const rooms = new Map();

  // Counts as they are now: the server's, plus new messages after the newest it counted,
  // minus deleted ones it had counted (unless capped: then the true number is unknown).
  function counts(state) {
    let { unread, mentions } = state;
    for (const [id, event] of state.events) {
      if (id <= state.read || event.author === me) continue;
      if (id > state.latest) {
        if (event.deleted) continue;
        unread += 1;
        if (event.mentioned) mentions += 1;
      } else if (event.deleted) {
        if (state.unread < CAP) unread -= 1;
        if (event.mentioned && state.mentions < CAP) mentions -= 1;
      }
    }
    return { unread: Math.max(unread, 0), mentions: Math.max(mentions, 0) };
  }

  // What a link shows, by level (as templates/chat/_room_link.html decides it).
  function shown(state) {
    const { unread, mentions } = counts(state);
    if (state.level === "all") return { n: unread, mentioned: mentions > 0 };
    if (state.level === "mentions") return { n: mentions, mentioned: mentions > 0 };
    return { n: 0, mentioned: false };
  }

  function showCount(link, n, mentioned) {
    link.classList.toggle("unread", n > 0);
    link.classList.toggle("mentioned", n > 0 && mentioned);
    let badge = link.querySelector("[data-unread-count]");
    if (!badge && n > 0) {
      badge = document.createElement("span");
      badge.className = "unread-count";
      badge.dataset.unreadCount = "";
      badge.innerHTML = ' <span data-n></span><span class="visually-hidden"> unread</span>';
      link.append(badge);
    }
    if (badge) {
      badge.hidden = n === 0;
      badge.querySelector("[data-n]").textContent = n >= CAP ? `${CAP - 1}+` : String(n);
    }
  }

  function render(roomId) {
    const state = rooms.get(roomId);
    if (!state) return;
    const { n, mentioned } = shown(state);
    for (const link of document.querySelectorAll(`[data-unread-room="${roomId}"]`)) {
      if (link.getAttribute("aria-current") === "page") continue; // the room this page shows
      showCount(link, n, mentioned);
      const url = new URL(link.href);
      url.hash = n > 0 ? "new" : "";
      link.href = url.href;
    }
    for (const total of document.querySelectorAll("[data-unread-total]")) {
      const ids = total.dataset.unreadTotal.split(" ").filter(Boolean).map(Number);
      if (!ids.includes(roomId)) continue;
      let sum = 0;
      let anyMention = false;
      for (const id of ids) {
        const each = rooms.get(id) ? shown(rooms.get(id)) : { n: 0, mentioned: false };
        sum += each.n;
        anyMention ||= each.mentioned;
      }
      showCount(total, Math.min(sum, CAP), anyMention);
    }
    const level = document.querySelector(`[data-level-form="${roomId}"] select`);
    if (level && document.activeElement !== level) level.value = state.level;
  }

  // A room's state from the server: a (re)connect's catch-up, or the user's own action in
  // some tab (read, level). Live events it does not cover yet are kept.
  function applyState(el) {
    const id = +el.dataset.room;
    const latest = +el.dataset.latest;
    const events = new Map();
    for (const [messageId, event] of rooms.get(id)?.events || []) {
      if (messageId > latest) events.set(messageId, event);
    }
    rooms.set(id, {
      read: +el.dataset.read, latest, unread: +el.dataset.unread,
      mentions: +el.dataset.mentions, level: el.dataset.level, events,
    });
    render(id);
    if (id === page.roomId) page.read = Math.max(page.read, +el.dataset.read);
  }

  // A message posted (or deleted) in one of the rooms: the same event for everyone.
  function applyActivity(el) {
    const id = +el.dataset.room;
    const state = rooms.get(id);
    if (!state) return;
    const messageId = +el.dataset.message;
    const deleted = el.hasAttribute("data-deleted");
    if (!deleted && (messageId <= state.latest || state.events.has(messageId))) return;
    state.events.set(messageId, {
      author: +el.dataset.author,
      mentioned: el.dataset.mentions.split(" ").includes(String(me)),
      deleted,
    });
    for (const old of state.events.keys()) if (old <= state.read) state.events.delete(old);
    render(id);
  }

  // Our frames are handled here, not swapped by htmx.
  document.addEventListener("htmx:wsBeforeMessage", (event) => {
    const message = event.detail.message;
    if (typeof message !== "string" || !message.startsWith("<template data-unread")) return;
    event.preventDefault();
    const parsed = document.createElement("template");
    parsed.innerHTML = message;
    for (const el of parsed.content.querySelectorAll("template")) {
      if (el.hasAttribute("data-unread-state")) applyState(el);
      else if (el.hasAttribute("data-unread-activity")) applyActivity(el);
    }
  });

  // ---- The open room: the "New" divider, and saying when it has been seen

  const section = document.querySelector("#room-live[data-read]");
  const page = {
    roomId: section ? +section.dataset.roomId : 0,
    read: section ? +section.dataset.read : 0, // the read position as this page knows it
    sent: 0, // the highest position this page has sent
    socket: null,
    timer: null,
    lastSent: 0,
  };
  if (!section) return;
  const scroller = section.querySelector(".scroller");
  const THROTTLE = 1000; // ms between two read positions sent

  const newestShown = () => {
    const items = section.querySelectorAll("#messages [data-message-id]:not([data-deleted])");
    return items.length ? +items[items.length - 1].dataset.messageId : 0;
  };

  function atBottom() {
    if (!scroller) return true;
    if (getComputedStyle(scroller).flexDirection === "column-reverse") {
      return Math.abs(scroller.scrollTop) < 8; // 0 at the bottom, negative above
    }
    return scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop < 8;
  }

  const seen = () => document.visibilityState === "visible" && atBottom();

  function markSeen() {
    const newest = newestShown();
    if (!seen() || newest <= Math.max(page.read, page.sent)) return;
    const wait = page.lastSent + THROTTLE - Date.now();
    if (wait > 0) {
      clearTimeout(page.timer);
      page.timer = setTimeout(markSeen, wait);
      return;
    }
    // Over the socket; over HTTP only while it is down (not before it first opens: then
    // its opening says it).
    const down = document.body.dataset.socket === "closed";
    if (!page.socket && !down) return;
    page.sent = newest;
    page.lastSent = Date.now();
    if (page.socket) {
      page.socket.send(JSON.stringify({ type: "read", message: newest }));
    } else {
      htmx.ajax("POST", `/rooms/${page.roomId}/read`, { swap: "none", values: { message: newest } });
    }
  }

  // "New" goes above the first message by others after what was seen; the server placed it
  // at load, and a message arriving unseen (tab hidden, or scrolled up) places it again.
  function placeDivider() {
    const after = Math.max(page.read, page.sent);
    const first = [...section.querySelectorAll("#messages .message[data-message-id]")].find(
      (item) => +item.dataset.messageId > after && +item.dataset.authorId !== me,
    );
    if (!first) return;
    let divider = document.getElementById("new-divider");
    if (divider?.nextElementSibling === first) return;
    if (!divider) {
      divider = document.createElement("li");
      divider.id = "new-divider";
      divider.className = "new-divider";
      divider.setAttribute("role", "separator");
      divider.dataset.newDivider = "";
      divider.innerHTML = '<span id="new">New</span>';
    }
    first.before(divider);
  }

  function tellVisibility() {
    const visible = document.visibilityState === "visible";
    page.socket?.send(JSON.stringify({ type: "viewing", visible }));
  }

  document.addEventListener("htmx:wsOpen", (event) => {
    page.socket = event.detail.socketWrapper;
    tellVisibility();
    markSeen();
  });
  document.addEventListener("htmx:wsClose", () => { page.socket = null; });
  document.addEventListener("visibilitychange", () => {
    tellVisibility();
    markSeen();
  });
  scroller?.addEventListener("scroll", markSeen, { passive: true });
  document.addEventListener("htmx:wsAfterMessage", () => {
    if (seen()) markSeen();
    else placeDivider();
  });

  // Opening the room shows the first unread message, under "New".
  const divider = document.getElementById("new-divider");
  if (divider) divider.scrollIntoView({ block: "center" });
  markSeen();
})();
