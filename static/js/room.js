// A chat room's page (templates/chat/show.html, data-js="room-live"): its changes
// merged in order, the outbox, typing, replies, in-place edit, and telling the server what
// has been seen (taskflow/chat/unread.py).
(() => {
  const me = document.body.dataset.userId;
  const room = $("#room-live");
  const composer = () => $("[data-outbox] textarea");
  let socket = null; // the socket's wrapper while open
  let roomSocket = null; // the WebSocket itself (replaceDeadSocket)

  // ---- Catch-up: the room's change numbers. A (re)connect asks for the changes after the
  // last one taken in order; the server sends those, then live ones.
  const changes = stream(0);
  function sawChange(seq) {
    changes.add(seq);
    while (changes.next());
  }
  function syncChanges() { // [data-live-sync]: at load, and when a catch-up replaced the list
    changes.seq = Math.max(changes.seq, +$("[data-live-sync]").dataset.seq || 0);
    sawChange(changes.seq);
  }
  syncChanges();
  htmx.createWebSocket = (url) => {
    const target = new URL(url);
    target.searchParams.set("seq", changes.seq);
    roomSocket = new WebSocket(target, []);
    roomSocket.binaryType = htmx.config.wsBinaryType;
    return roomSocket;
  };

  // A message change, live or caught up: append a new one, replace or remove the copy shown,
  // drop one older than the page's window or than the copy shown (data-seq). A catch-up of
  // the whole list replaces it.
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
      // An open editor stays open; Esc shows this newer copy (`latest`).
      if (twin && +twin.dataset.seq > +item.dataset.seq) item.remove();
      else if (twin?.classList.contains("editing") && !deleted) { twin.latest = item; item.remove(); }
      else if (twin && !deleted) { twin.replaceWith(item); htmx.process(item); }
      else {
        twin?.remove();
        if (deleted || +item.dataset.messageId < newest) item.remove();
      }
    }
    if (!whole && !fragment.querySelector("[data-message-id]")) event.detail.shouldSwap = false;
  }

  // A typist's line replaces the one shown; a stopped one only removes it. Each goes after
  // data-expires-in seconds unless a newer one replaced it.
  function mergeTypists(event) {
    for (const typer of [...event.detail.fragment.querySelectorAll("[id^='typer-']")]) {
      document.getElementById(typer.id)?.remove();
      if (typer.hasAttribute("data-stopped")) typer.remove();
    }
  }
  function expireTypists() {
    for (const typer of document.querySelectorAll("[data-expires-in]:not([data-expiring])")) {
      typer.dataset.expiring = "";
      setTimeout(() => typer.remove(), typer.dataset.expiresIn * 1000);
    }
  }
  expireTypists();

  // ---- The outbox: a message waits in it until its broadcast (with its client id, saved at
  // most once) comes back: sent again when the socket reopens, or over HTTP. One not answered
  // over the socket within 3 s goes over HTTP and the socket is replaced (it may be dead while
  // it looks open).
  const outbox = new Map(); // client id → { content, replyTo, sentAt, overHttp }
  let typing = false;
  let httpSends = Promise.resolve(); // one HTTP send at a time (htmx keeps only the newest waiting)
  const newClientId = () => [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");

  function sendOverHttp(clientId) {
    httpSends = httpSends.then(() => {
      const form = $("[data-outbox]");
      const entry = outbox.get(clientId);
      if (!form || !entry) return null;
      // The answer carries every change the page is missing, this message included.
      const values = { content: entry.content, client_id: clientId, seq: changes.seq, reply_to: entry.replyTo };
      const sent = htmx.ajax("POST", form.action, { source: form, swap: "none", values });
      return Promise.race([sent, new Promise((done) => setTimeout(done, 15000))]);
    }).catch(() => {});
  }

  function resendOutbox() {
    for (const [clientId, entry] of outbox) {
      Object.assign(entry, { sentAt: Date.now(), overHttp: !socket });
      if (socket) socket.send(JSON.stringify({ content: entry.content, client_id: clientId, reply_to: entry.replyTo }));
      else sendOverHttp(clientId);
    }
    showOutbox();
  }

  function acknowledge(clientId) { // saved: the composer is cleared unless another was started
    const entry = clientId && outbox.get(clientId);
    if (!entry) return;
    outbox.delete(clientId);
    const form = $("[data-outbox]");
    if (composer()?.value.trim() === entry.content.trim()) composer().value = "";
    if (form?.elements.client_id.value === clientId) form.elements.client_id.value = newClientId();
    showOutbox();
  }

  function showOutbox() {
    const box = $("[data-outbox-status]");
    if (!box) return;
    const now = Date.now();
    const waiting = [...outbox.values()].filter((entry) => now - entry.sentAt > 1000);
    const stuck = waiting.some((entry) => now - entry.sentAt > 5000);
    box.hidden = !waiting.length;
    $("[data-outbox-state]").textContent = stuck ? "Not sent." : "Sending…";
    $("[data-outbox-retry]").hidden = !stuck;
  }

  setInterval(() => {
    if (!outbox.size) return;
    let unanswered = false;
    for (const [clientId, entry] of outbox) {
      if (entry.overHttp || Date.now() - entry.sentAt < 3000) continue;
      entry.overHttp = unanswered = true;
      sendOverHttp(clientId);
    }
    // The dead socket is silenced first: its late close must not mark the page disconnected.
    if (unanswered && socket && roomSocket) {
      roomSocket.onopen = roomSocket.onmessage = roomSocket.onerror = roomSocket.onclose = null;
      socket.reconnect();
    }
    showOutbox();
  }, 1000);

  function stopTyping() {
    typing = false;
    if (socket && $("[data-outbox]")) socket.send(JSON.stringify({ type: "stop_typing" }));
  }

  // ---- Replies: Reply asks the server for the composer's reply target; ✕ and Esc cancel.
  function cancelReply() {
    const box = $("[data-replying]");
    if (!box || box.hidden) return;
    box.hidden = true;
    box.querySelector("input[name=reply_to]").value = "";
  }

  let older = null; // resolves once "Load older messages" has been replaced
  async function reveal(quote) { // the original, loading older pages while it is not shown
    const id = `message-${quote.dataset.replyQuote}`;
    for (let pages = 0; !document.getElementById(id) && pages < 20; pages += 1) {
      const link = $("#load-older a");
      if (!link || !(await new Promise((done) => {
        older = { link, done, timer: setTimeout(() => done(false), 10000) };
        link.click(); // dropped by htmx if it is already loading: its swap resolves this
      }))) break;
    }
    const original = document.getElementById(id);
    if (!original) return window.location.assign(quote.href); // deleted, or further back
    original.scrollIntoView({ block: "center" });
    original.tabIndex = -1;
    original.focus({ preventScroll: true });
    original.classList.add("highlighted");
    setTimeout(() => original.classList.remove("highlighted"), 2500);
  }

  // ---- In-place edit: Edit opens the server's editor, Esc puts the message back as it was
  // (or as it is now, if a newer copy came meanwhile), saving puts the focus back.
  const originals = new Map(); // message id → the message as it was when its editor opened

  on("room", { // Alt+↑/↓ switch rooms, from anywhere but an editor
    keydown(event) {
      const arrow = { ArrowUp: -1, ArrowDown: 1 }[event.key];
      if (!arrow || !event.altKey || event.target.closest?.(".editing")) return;
      const links = [...document.querySelectorAll("[data-room-link]")];
      const next = links[links.findIndex((link) => link.getAttribute("aria-current") === "page") + arrow];
      if (next) {
        event.preventDefault();
        next.click();
      }
    },
  });

  on("editor", {
    keydown(event) {
      const editor = event.target.closest(".message.editing");
      if (event.key !== "Escape" || event.isComposing || !editor) return;
      event.preventDefault();
      const shown = editor.latest || originals.get(editor.id);
      originals.delete(editor.id);
      if (!shown) return editor.querySelector("form a[href]")?.click() || true;
      editor.replaceWith(shown);
      htmx.process(shown);
      composer()?.focus();
      return true;
    },
  });

  on("room-live", {
    "htmx:oobBeforeSwap"(event) {
      const target = event.detail.target;
      if (target.hasAttribute("data-message-list")) mergeMessages(event);
      else if (target.hasAttribute("data-typing")) mergeTypists(event);
    },
    "htmx:oobAfterSwap"(event) {
      const swapped = event.target;
      if (swapped.matches("[data-socket-error]") && swapped.textContent.trim()) {
        outbox.clear(); // refused: no longer on its way, and back in the composer
        showOutbox();
      }
      if (swapped.matches("[data-live-sync]")) syncChanges();
      if (swapped.matches("[data-composer] textarea")) swapped.focus();
      expireTypists();
    },
    "htmx:afterSwap"(event) {
      if (older && !older.link.isConnected) {
        clearTimeout(older.timer);
        older.done(true);
        older = null;
      }
      if (event.target.id === "replying") composer()?.focus();
    },
    "htmx:afterSettle"(event) {
      // Older pages end with the day the list may begin with: one separator a day.
      const days = new Set();
      for (const separator of document.querySelectorAll("[data-message-list] .day-separator")) {
        if (days.has(separator.dataset.day)) separator.remove();
        else days.add(separator.dataset.day);
      }
      // An edit saved: the focus, which was in the editor, goes back to the composer.
      const editor = event.detail.requestConfig?.elt?.closest?.(".message.editing");
      if (!editor || !event.target.matches?.("[data-message-list] .message:not(.editing)")) return;
      originals.delete(editor.id);
      if (!document.activeElement || document.activeElement === document.body) composer()?.focus();
    },
    "htmx:wsOpen"(event) {
      socket = event.detail.socketWrapper;
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
      const params = event.detail.parameters;
      if (params.type === "typing") { // never queued for a reconnect, nor empty
        typing = !!socket && !!composer()?.value;
        if (!typing) event.preventDefault();
        return;
      }
      const form = event.target.closest("[data-outbox]");
      if (!form) return;
      const earlier = outbox.get(params.client_id);
      if (earlier && earlier.content.trim() !== params.content.trim()) {
        params.client_id = form.elements.client_id.value = newClientId(); // a different message
      }
      const entry = { content: params.content, replyTo: params.reply_to || "", sentAt: Date.now(), overHttp: !socket };
      outbox.set(params.client_id, entry);
      cancelReply(); // the next one is a reply only if the user says so again
      showOutbox();
      if (entry.overHttp) {
        event.preventDefault();
        sendOverHttp(params.client_id);
      }
    },
    "htmx:configRequest"(event) {
      if (event.detail.elt.matches("[data-outbox]")) event.detail.timeout = 15000;
    },
    "htmx:sendError": httpFailed,
    "htmx:timeout": httpFailed,
    click(event) {
      if (event.target.closest("[data-outbox-retry]")) return resendOutbox() || true;
      if (event.target.closest("[data-reply-cancel]")) {
        event.preventDefault();
        cancelReply();
        return composer()?.focus() || true;
      }
      const link = event.target.closest("[data-message-list] .message :is(a.edit, a.delete, a.reply), a[data-reply-quote]");
      if (!link || !plain(event)) return;
      event.preventDefault();
      const message = link.closest(".message");
      if (link.matches("[data-reply-quote]")) reveal(link);
      else if (link.matches(".reply")) htmx.ajax("GET", `/messages/${message.dataset.messageId}/reply`, { target: "#replying", swap: "outerHTML" });
      else {
        const options = { source: link, target: message, swap: "outerHTML" };
        if (link.matches(".edit")) {
          originals.set(message.id, message);
          htmx.ajax("GET", link.href, options);
        } else if (confirm("Delete this message?")) htmx.ajax("POST", link.href, options);
      }
      return true;
    },
    keydown(event) { // after the composer's own keys (compose.js)
      const field = event.target.closest("[data-outbox] textarea");
      if (!field || event.isComposing) return;
      const arrow = { ArrowUp: -1, ArrowDown: 1 }[event.key];
      const bare = !event.ctrlKey && !event.metaKey && !event.shiftKey;
      if (event.key === "Enter") typing = false; // the server clears it with the message
      else if (event.key === "Escape") {
        cancelReply();
        stopTyping();
      } else if (arrow === -1 && !event.altKey && bare && field.value === "") {
        // ↑ in the empty composer edits the user's last message.
        const own = document.querySelectorAll(`[data-message-list] .message[data-author-id="${CSS.escape(me)}"]:not(.editing)`);
        const edit = own[own.length - 1]?.querySelector("a.edit");
        if (edit) {
          event.preventDefault();
          edit.click();
        }
      }
    },
    focusout(event) { // "alice is typing…" ends on blur
      if (typing && event.target.matches("[data-composer] textarea")) stopTyping();
    },
  });

  function httpFailed(event) { // the HTTP fallback failed too: say so now
    if (!event.detail.elt?.matches?.("[data-outbox]")) return;
    outbox.forEach((entry) => { entry.sentAt = 0; });
    showOutbox();
  }

  // ---- Seen: the open room's read position goes to the server once its newest message has
  // been seen (tab visible, scrolled to the bottom), at most once a second; a message arriving
  // unseen puts the server's "New" divider above the first one by others after it.
  const scroller = room.querySelector(".scroller");
  let sent = 0, lastSent = 0, seenTimer = null;
  const readUpTo = () => Math.max(+room.dataset.read, sent); // unread.js updates data-read

  function atBottom() {
    if (getComputedStyle(scroller).flexDirection === "column-reverse") return Math.abs(scroller.scrollTop) < 8;
    return scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop < 8;
  }
  const seen = () => document.visibilityState === "visible" && atBottom();

  function markSeen() {
    const items = room.querySelectorAll("#messages [data-message-id]:not([data-deleted])");
    const newest = items.length ? +items[items.length - 1].dataset.messageId : 0;
    if (!seen() || newest <= readUpTo()) return;
    const wait = lastSent + 1000 - Date.now();
    clearTimeout(seenTimer);
    if (wait > 0) return void (seenTimer = setTimeout(markSeen, wait));
    // Over HTTP only while the socket is down (before it first opens, its opening says it).
    if (!socket && document.body.dataset.socket !== "closed") return;
    sent = newest;
    lastSent = Date.now();
    if (socket) socket.send(JSON.stringify({ type: "read", message: newest }));
    else htmx.ajax("POST", `/rooms/${room.dataset.roomId}/read`, { swap: "none", values: { message: newest } });
  }

  function placeDivider() {
    const first = [...room.querySelectorAll("#messages .message[data-message-id]")]
      .find((item) => +item.dataset.messageId > readUpTo() && item.dataset.authorId !== me);
    const divider = $("#new-divider") || $("#new-divider-template")?.content.firstElementChild.cloneNode(true);
    if (first && divider && divider.nextElementSibling !== first) first.before(divider);
  }

  function tellVisibility() {
    socket?.send(JSON.stringify({ type: "viewing", visible: document.visibilityState === "visible" }));
  }
  document.addEventListener("visibilitychange", () => { // on the document only
    tellVisibility();
    markSeen();
  });
  scroller.addEventListener("scroll", markSeen, { passive: true }); // does not bubble
  $("#new-divider")?.scrollIntoView({ block: "center" }); // opening the room shows "New"
  markSeen();
})();
