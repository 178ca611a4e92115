// TaskFlow's own JavaScript: only what htmx cannot do by itself. Everything works without it.

// Drag and drop of cards. The keyboard path (the arrow buttons on each card) needs none of this.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest?.(".card[data-task-id]");
  if (card) event.dataTransfer.setData("text/x-task-id", card.dataset.taskId);
});

document.addEventListener("dragover", (event) => {
  if (event.target.closest?.(".column[data-column-id]")) event.preventDefault();
});

document.addEventListener("drop", (event) => {
  const column = event.target.closest?.(".column[data-column-id]");
  const taskId = event.dataTransfer.getData("text/x-task-id");
  if (!column || !taskId) return;
  event.preventDefault();
  // The new position is the number of cards (other than this one) above the drop point.
  const cards = [...column.querySelectorAll(".card[data-task-id]")]
    .filter((card) => card.dataset.taskId !== taskId);
  const position = cards.filter((card) => {
    const box = card.getBoundingClientRect();
    return box.top + box.height / 2 < event.clientY;
  }).length;
  htmx.ajax("POST", `/tasks/${taskId}/move`, {
    source: column,
    target: "#kanban",
    swap: "outerHTML",
    values: { column_id: column.dataset.columnId, position },
  });
});

// ---- Live pages (htmx-ext-ws) ---------------------------------------------------------------

// Every (re)connect asks for what the page missed: the messages after the newest one it shows.
// The server sends those first, then live ones, so nothing is missing and nothing is doubled.
htmx.createWebSocket = (url) => {
  const target = new URL(url);
  const ids = [...document.querySelectorAll("[data-message-id]")].map((el) => +el.dataset.messageId);
  if (ids.length) target.searchParams.set("since", Math.max(...ids));
  const socket = new WebSocket(target, []);
  socket.binaryType = htmx.config.wsBinaryType;
  return socket;
};

// A message that is already on the page (e.g. sent by two web processes' catch-up) is not
// added again.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const incoming = event.detail.fragment.querySelector?.("[data-message-id]");
  if (incoming && document.getElementById(incoming.id)) event.detail.shouldSwap = false;
});

let liveSocket = null; // the page's socket wrapper while it is open
document.addEventListener("htmx:wsOpen", (event) => {
  liveSocket = event.detail.socketWrapper;
  document.body.dataset.socket = "open";
  setConnectionState("");
});
document.addEventListener("htmx:wsClose", () => {
  liveSocket = null;
  document.body.dataset.socket = "closed";
  setConnectionState("Reconnecting… (messages you send are still delivered)");
});

function setConnectionState(text) {
  const state = document.getElementById("connection-state");
  if (state) state.textContent = text;
}

// While the socket is down, the composer posts over HTTP instead; the answer carries the
// messages the page is missing, its own included.
document.addEventListener("htmx:wsConfigSend", (event) => {
  const form = event.target.closest("form");
  if (liveSocket || !form) return;
  event.preventDefault();
  const ids = [...document.querySelectorAll("[data-message-id]")].map((el) => +el.dataset.messageId);
  htmx.ajax("POST", form.action, {
    source: form, swap: "none", values: { since: ids.length ? Math.max(...ids) : 0 },
  }).then(() => resetComposer(form));
});

document.addEventListener("htmx:wsAfterSend", (event) => {
  if (event.target.id === "composer") resetComposer(event.target);
});

function resetComposer(form) {
  form.reset();
  form.querySelector("textarea")?.focus();
}

// A refused message comes back into the composer (an out-of-band swap): keep typing in it.
document.addEventListener("htmx:oobAfterSwap", (event) => {
  if (event.target.id === "composer-input") event.target.focus();
});

// ---- Keyboard-driven chat -------------------------------------------------------------------

let typingSentAt = 0;
function sendTyping(type) {
  if (liveSocket) liveSocket.send(JSON.stringify({ type }));
}

document.addEventListener("keydown", (event) => {
  const composer = event.target.closest?.(".composer textarea");
  if (composer) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      typingSentAt = 0;
      if (composer.value.trim()) composer.form.requestSubmit();
    } else if (event.key === "Escape") {
      composer.value = "";
      sendTyping("stop_typing");
    }
    return;
  }
  const inField = event.target.closest?.("input, textarea, select, [contenteditable]");
  if (event.key === "/" && !inField) {
    const target = document.querySelector(".composer textarea");
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

// "alice is typing…": at most one frame a second while typing; cleared on blur and on send.
document.addEventListener("input", (event) => {
  if (!event.target.closest?.(".composer textarea")) return;
  const now = Date.now();
  if (event.target.value && now - typingSentAt >= 1000) {
    typingSentAt = now;
    sendTyping("typing");
  }
});
document.addEventListener("focusout", (event) => {
  if (event.target.closest?.(".composer textarea") && typingSentAt) {
    typingSentAt = 0;
    sendTyping("stop_typing");
  }
});
