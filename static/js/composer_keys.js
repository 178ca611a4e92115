// Keys of a room's composer ([data-outbox] textarea) beyond app.js's Enter and Escape:
// ↑ in the empty composer opens the in-place editor of the user's last message (app.js's
// Edit link does the opening), Esc in that editor cancels it, and Alt+↑/↓ switches rooms from
// inside the composer too (app.js switches them everywhere else). After an in-place edit is
// saved or cancelled, the focus goes back to the composer.
(() => {
  const me = document.body.dataset.userId;
  const composer = () => document.querySelector("[data-outbox] textarea");
  const originals = new Map(); // message id → the message as it was when its editor opened

  // Before app.js (a bubbling listener) swaps the editor in: keep what Esc puts back.
  document.addEventListener("click", (event) => {
    const message = event.target.closest?.("[data-message-list] .message a.edit")?.closest(".message");
    if (message) originals.set(message.id, message);
  }, true);

  function lastOwnEditLink() {
    if (!me) return null;
    const own = document.querySelectorAll(
      `[data-message-list] .message[data-author-id="${CSS.escape(me)}"]:not(.editing)`,
    );
    return own.length ? own[own.length - 1].querySelector("a.edit") : null;
  }

  function switchRoom(step) {
    const links = [...document.querySelectorAll("[data-room-link]")];
    const current = links.findIndex((link) => link.getAttribute("aria-current") === "page");
    const next = current < 0 ? null : links[current + step];
    next?.click();
    return !!next;
  }

  document.addEventListener("keydown", (event) => {
    const field = event.target.closest?.("[data-outbox] textarea");
    if (!field || event.defaultPrevented || event.isComposing) return; // (an open mention list)
    const arrow = event.key === "ArrowUp" ? -1 : event.key === "ArrowDown" ? 1 : 0;
    if (arrow && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      if (switchRoom(arrow)) event.preventDefault();
    } else if (arrow === -1 && !event.altKey && !event.ctrlKey && !event.metaKey
      && !event.shiftKey && field.value === "") {
      const edit = lastOwnEditLink();
      if (edit) {
        event.preventDefault();
        edit.click();
      }
    }
  });

  // Esc in an in-place editor cancels it. Capturing, so that app.js's Escape (which clears a
  // composer's text) does not run; an open mention list takes Esc first (app.js, also capturing).
  document.addEventListener("keydown", (event) => {
    const editor = event.target.closest?.("[data-message-list] .message.editing");
    if (!editor || event.key !== "Escape" || event.isComposing) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    cancelEdit(editor);
  }, true);

  function cancelEdit(editor) {
    // app.js keeps a copy that arrived while the editor was open (a reaction) as `latest`.
    const shown = editor.latest || originals.get(editor.id);
    originals.delete(editor.id);
    if (!shown) { // the editor came some other way: its Cancel link reloads the room
      editor.querySelector("form a[href]")?.click();
      return;
    }
    editor.replaceWith(shown);
    htmx.process(shown);
    composer()?.focus();
  }

  // Saved: the message replaced its editor, and the focus (which was in it) returns to the
  // composer. A refused edit comes back as an editor, which keeps it. (After the settle: until
  // then htmx gives the new element the old one's attributes, "editing" included.)
  document.addEventListener("htmx:afterSettle", (event) => {
    const editor = event.detail.requestConfig?.elt?.closest?.(".message.editing");
    const saved = event.target.matches?.("[data-message-list] .message:not(.editing)");
    if (!editor || !saved) return;
    originals.delete(editor.id);
    const active = document.activeElement;
    if (!active || active === document.body) composer()?.focus();
  });
})();
