// Reactions (templates/_reaction_bar.html), rendered once for every viewer; here, for this
// one: aria-pressed on each button (viewer.css styles it), a toggle posted with htmx, the
// server's picker (templates/_reaction_picker.html) opened under the React link, and the
// focus kept on the button pressed across its target's re-render.
(() => {
  const me = document.body.dataset.userId;
  const TARGET = "[data-message-id], [data-comment-id]";
  let pending = null; // the button to focus once its target is re-rendered: { id, target, until }
  let keptTarget = null;
  let keys = null; // pressed on the React link while its picker is on its way

  function markPressed(root) {
    if (!root.querySelectorAll) return;
    const buttons = [...root.querySelectorAll(".reaction[data-users]")];
    if (root.matches(".reaction[data-users]")) buttons.push(root);
    for (const b of buttons) b.setAttribute("aria-pressed", b.dataset.users.split(" ").includes(me));
  }
  markPressed(document.body);

  // The re-render replaced the focused button (focus fell to the body): focus the new one,
  // or the target's React link if that emoji is gone.
  function restoreFocus() {
    if (!pending || Date.now() > pending.until) return void (pending = null);
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    (document.getElementById(pending.id) || document.getElementById(pending.target)?.querySelector(".react"))?.focus();
  }
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(markPressed);
    restoreFocus();
  }).observe(document.body, { childList: true, subtree: true });

  function close(picker, refocus) {
    const link = picker?.previousElementSibling;
    picker?.remove();
    if (refocus) link?.focus();
  }

  on("picker", {
    keydown(event, picker) {
      const buttons = [...picker.querySelectorAll("button")];
      const at = buttons.indexOf(event.target);
      const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 };
      if (event.key === "Escape") close(picker, true);
      else if (event.key in moves) buttons[(moves[event.key] + buttons.length) % buttons.length].focus();
      else return;
      event.preventDefault();
      return true;
    },
    "htmx:beforeRequest"(event, picker) { // a choice: on the React link until the re-render
      pending = { id: event.target.dataset.button, target: picker.closest(TARGET).id, until: Date.now() + 5000 };
      picker.previousElementSibling.focus();
      picker.hidden = true; // removed once answered (htmx's request needs its button)
    },
    "htmx:afterRequest": (event, picker) => close(picker),
    "htmx:load"(event, picker) { // here: the keys pressed while it was on its way
      picker.querySelector("button").focus();
      const queued = keys || [];
      keys = null;
      for (const key of queued) {
        if (key === "Enter") document.activeElement.click();
        else document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
      }
    },
    focusout(event, picker) {
      if (!picker.hidden && event.relatedTarget && !picker.contains(event.relatedTarget)) close(picker);
    },
  });

  on("reactions", {
    click(event) {
      const picker = $(".reaction-picker");
      if (picker && !picker.contains(event.target)) close(picker);
      const link = event.target.closest("a.react");
      if (!link || !plain(event)) return;
      event.preventDefault();
      keys = [];
      htmx.ajax("GET", link.href, { source: link, target: link, swap: "afterend" });
      return true;
    },
    "htmx:afterRequest"(event) { if (!event.detail.successful) keys = null; },
    keydown(event) {
      if (!keys || !event.target.matches?.("a.react") || !/^(Arrow|Home|End|Enter|Escape)/.test(event.key)) return;
      event.preventDefault();
      keys.push(event.key);
      return true;
    },
    // A reaction button submits the page's #reactions-form without JavaScript.
    submit(event) {
      const button = event.submitter;
      if (event.target.id !== "reactions-form" || !button?.formAction) return;
      event.preventDefault();
      pending = { id: button.id, target: button.closest(TARGET)?.id, until: Date.now() + 5000 };
      htmx.ajax("POST", button.formAction, { source: document.body, swap: "none", values: { emoji: button.value } });
      return true;
    },
    // Someone else's reaction re-renders a target whose React link (no id) had the focus.
    "htmx:wsBeforeMessage"() {
      keptTarget = document.activeElement?.closest?.(".reactions, .react")?.closest(TARGET)?.id;
    },
    "htmx:wsAfterMessage"() {
      const active = document.activeElement;
      if (keptTarget && (!active || active === document.body || !active.isConnected)) {
        document.getElementById(keptTarget)?.querySelector(".react")?.focus();
      }
    },
  });
})();
