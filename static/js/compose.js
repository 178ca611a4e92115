// Writing: Enter sends, Esc clears, "/" jumps to the composer; @mention options.
const mentionBox = (field) => byId(field.dataset.mentionBox);
const mentionField = (box) => $(`[data-mention-box="${box.id}"]`);

function closeMentions(field) {
  mentionBox(field).innerHTML = "";
  field.removeAttribute("aria-activedescendant");
}

function insertMention(field, { insert, replace }) { // both from the server
  const caret = field.selectionStart, before = field.value.slice(0, caret - replace) + insert;
  field.value = before + field.value.slice(caret);
  field.setSelectionRange(before.length, before.length);
  closeMentions(field);
  field.focus();
}

on("mentions", { // the field and its box
  keydown(event, field) { // before the composer's
    const all = [...mentionBox(field)?.querySelectorAll('[role="option"]') || []];
    const at = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (!all.length) return;
    if (step) {
      const next = (at + step + all.length) % all.length;
      all.forEach((o, i) => o.setAttribute("aria-selected", i === next));
      field.setAttribute("aria-activedescendant", all[next].id);
    } else if (event.key === "Enter" || event.key === "Tab") insertMention(field, all[Math.max(at, 0)].dataset);
    else if (event.key === "Escape") closeMentions(field);
    else return;
    event.preventDefault();
    return true;
  },
  "htmx:configRequest"({ detail }, field) {
    if (detail.elt === field) detail.parameters.caret = field.selectionStart;
  },
  "htmx:afterSwap"(event, box) {
    const active = box.querySelector('[aria-selected="true"]');
    if (active) mentionField(box)?.setAttribute("aria-activedescendant", active.id);
    else mentionField(box)?.removeAttribute("aria-activedescendant");
  },
  click(event, box) {
    const option = event.target.closest('[role="option"][data-insert]');
    if (option && mentionField(box)) insertMention(mentionField(box), option.dataset);
  },
});

on("composer", {
  keydown(event, field) {
    if (event.key === "Escape") field.value = "";
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (field.value.trim()) field.form.requestSubmit();
  },
});

on("compose", {
  keydown(event) {
    const target = $("[data-composer] textarea");
    if (event.key !== "/" || !target || inField(event)) return;
    event.preventDefault();
    target.focus();
  },
});
