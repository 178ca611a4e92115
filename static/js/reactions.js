// Reactions: aria-pressed for this viewer, toggles, the server's picker, the focus kept.
const reactionTarget = "[data-message-id], [data-comment-id]";
let pressed = null; // { id, target, until }: the button to focus once re-rendered
let pickerKeys = null; // pressed while the picker is on its way
let reactedTarget = null;
const press = (id, target) => { pressed = { id, target, until: Date.now() + 5000 }; };

function markPressed(root) { // root: never a lone button
  for (const b of root.querySelectorAll?.(".reaction[data-users]") || []) b.setAttribute("aria-pressed", b.dataset.users.split(" ").includes(page.userId));
}
markPressed(document.body);

new MutationObserver((records) => {
  for (const record of records) record.addedNodes.forEach(markPressed);
  if (!pressed || Date.now() > pressed.until) return void (pressed = null);
  const to = byId(pressed.id) || byId(pressed.target)?.querySelector(".react");
  if (idle() && to) {
    to.focus();
    pressed = null; // once
  }
}).observe(document.body, { childList: true, subtree: true });

function closePicker(picker, refocus) {
  if (refocus) picker?.previousElementSibling.focus();
  picker?.remove();
}

on("picker", {
  keydown(event, picker) {
    const buttons = [...picker.querySelectorAll("button")], at = buttons.indexOf(event.target);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: -1 }[event.key];
    if (event.key === "Escape") closePicker(picker, true);
    else if (to === undefined) return;
    else buttons.at(to % buttons.length).focus();
    event.preventDefault();
    return true;
  },
  "htmx:load"(event, picker) {
    picker.querySelector("button").focus();
    for (const key of pickerKeys?.splice(0) || []) {
      if (key === "Enter") document.activeElement.click();
      else document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    pickerKeys = null;
  },
  "htmx:beforeRequest"(event, picker) { // a choice
    press(event.target.dataset.button, picker.closest(reactionTarget).id);
    picker.previousElementSibling.focus();
    picker.hidden = true; // removed once answered
  },
  "htmx:afterRequest": (event, picker) => closePicker(picker),
  focusout(event, picker) {
    if (!picker.hidden && event.relatedTarget && !picker.contains(event.relatedTarget)) closePicker(picker);
  },
});

on("reactions", {
  click(event) {
    const picker = $(".reaction-picker"), link = event.target.closest("a.react");
    if (!picker?.contains(event.target)) closePicker(picker);
    if (!link || !plain(event)) return;
    event.preventDefault();
    pickerKeys = [];
    htmx.ajax("GET", link.href, { source: link, target: link, swap: "afterend" });
    return true;
  },
  keydown(event) {
    if (!pickerKeys || !event.target.matches?.("a.react") || !/^(Arrow|Home|End|Enter|Escape)/.test(event.key)) return;
    event.preventDefault();
    pickerKeys.push(event.key);
  },
  "htmx:afterRequest"({ detail }) { if (!detail.successful) pickerKeys = null; },
  submit(event) { // #reactions-form, the no-JavaScript path
    const button = event.submitter;
    if (event.target.id !== "reactions-form" || !button?.formAction) return;
    event.preventDefault();
    press(button.id, button.closest(reactionTarget)?.id);
    htmx.ajax("POST", button.formAction, { source: document.body, swap: "none", values: { emoji: button.value } });
  },
  "htmx:wsBeforeMessage"() { reactedTarget = document.activeElement?.closest?.(".reactions, .react")?.closest(reactionTarget)?.id; },
  "htmx:wsAfterMessage"() { if (reactedTarget && idle()) byId(reactedTarget)?.querySelector(".react")?.focus(); },
});
