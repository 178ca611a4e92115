// Writing from the keyboard (rooms and tasks): in a composer (data-js="composer") Enter sends
// and Esc clears, "/" anywhere else jumps to it, and the @mention list (data-js="mentions":
// the options come from the server) is walked with the arrows and picked with Enter or Tab.
(() => {
  const boxOf = (field) => document.getElementById(field.dataset.mentionBox);
  const options = (field) => [...boxOf(field)?.querySelectorAll('[role="option"]') || []];
  const fieldOf = (box) => $(`[data-mention-box="${box.id}"]`);

  function close(field) {
    boxOf(field).innerHTML = "";
    field.removeAttribute("aria-activedescendant");
  }

  function insert(field, username) {
    const caret = field.selectionStart;
    const before = field.value.slice(0, caret).replace(/@[\w.\-]*$/, `@${username} `);
    field.value = before + field.value.slice(caret);
    field.setSelectionRange(before.length, before.length);
    close(field);
    field.focus();
  }

  on("mentions", {
    keydown(event, field) { // before the composer's keys: with the list open they are its
      const all = field.dataset.mentionBox ? options(field) : [];
      if (!all.length) return;
      const current = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const next = (current + (event.key === "ArrowDown" ? 1 : -1) + all.length) % all.length;
        all.forEach((o, i) => o.setAttribute("aria-selected", i === next ? "true" : "false"));
        field.setAttribute("aria-activedescendant", all[next].id);
      } else if (event.key === "Enter" || event.key === "Tab") insert(field, all[Math.max(current, 0)].dataset.username);
      else if (event.key === "Escape") close(field);
      else return;
      event.preventDefault();
      return true;
    },
    // The server finds the "@partial" being typed from the caret.
    "htmx:configRequest"(event, field) {
      if (event.detail.elt === field) event.detail.parameters.caret = field.selectionStart;
    },
    "htmx:afterSwap"(event, box) { // into the box
      const field = fieldOf(box);
      const active = box.querySelector('[aria-selected="true"]');
      if (!field) return;
      if (active) field.setAttribute("aria-activedescendant", active.id);
      else field.removeAttribute("aria-activedescendant");
    },
    click(event, box) {
      const option = event.target.closest('[role="option"][data-username]');
      if (option && fieldOf(box)) insert(fieldOf(box), option.dataset.username);
    },
  });

  on("composer", {
    keydown(event, field) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (field.value.trim()) field.form.requestSubmit();
      } else if (event.key === "Escape") field.value = "";
    },
  });

  on("compose", {
    keydown(event) {
      const target = $("[data-composer] textarea");
      if (event.key !== "/" || !target || event.target.closest?.("input, textarea, select, [contenteditable]")) return;
      event.preventDefault();
      target.focus();
    },
  });
})();
