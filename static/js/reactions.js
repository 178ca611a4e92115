// Reactions, rendered once for every viewer; for this one: aria-pressed on each button
// (viewer.css styles it), toggles posted with htmx, the server's picker under the React
// link (_reaction_picker.html), and the focus on the button pressed across re-renders.
const reactionTarget = "[data-message-id], [data-comment-id]";
let pressed = null; // the button to focus once its target is re-rendered: { id, target, until }
let pickerKeys = null; // pressed on the React link while its picker is on its way
let reactedTarget = null;

function markPressed(root) {
  const buttons = root.querySelectorAll ? [...root.querySelectorAll(".reaction[data-users]"), root] : [];
  for (const b of buttons) if (b.matches(".reaction[data-users]")) b.setAttribute("aria-pressed", b.dataset.users.split(" ").includes(document.body.dataset.userId));
}
markPressed(document.body);

// The re-render replaced the focused button: the new one takes the focus, or the React link.
new MutationObserver((records) => {
  for (const record of records) record.addedNodes.forEach(markPressed);
  if (!pressed || Date.now() > pressed.until) return void (pressed = null);
  if (idle()) (document.getElementById(pressed.id) || document.getElementById(pressed.target)?.querySelector(".react"))?.focus();
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
  "htmx:load"(event, picker) { // here: the keys pressed meanwhile are its
    picker.querySelector("button").focus();
    for (const key of pickerKeys?.splice(0) || []) {
      if (key === "Enter") document.activeElement.click();
      else document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    pickerKeys = null;
  },
  "htmx:beforeRequest"(event, picker) { // a choice: on the React link until the re-render
    pressed = { id: event.target.dataset.button, target: picker.closest(reactionTarget).id, until: Date.now() + 5000 };
    picker.previousElementSibling.focus();
    picker.hidden = true; // removed once answered: htmx sends only for a button on the page
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
  submit(event) { // a reaction button submits the page's #reactions-form without JavaScript
    const button = event.submitter;
    if (event.target.id !== "reactions-form" || !button?.formAction) return;
    event.preventDefault();
    pressed = { id: button.id, target: button.closest(reactionTarget)?.id, until: Date.now() + 5000 };
    htmx.ajax("POST", button.formAction, { source: document.body, swap: "none", values: { emoji: button.value } });
  },
  // Someone else's reaction re-rendered the target whose React link had the focus.
  "htmx:wsBeforeMessage"() { reactedTarget = document.activeElement?.closest?.(".reactions, .react")?.closest(reactionTarget)?.id; },
  "htmx:wsAfterMessage"() { if (reactedTarget && idle()) document.getElementById(reactedTarget)?.querySelector(".react")?.focus(); },
});
