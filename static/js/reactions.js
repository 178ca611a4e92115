// Reactions on messages and comments (templates/_reaction_bar.html). Their markup is the same
// for every viewer; here, for this one: each reaction button says whether it is the viewer's
// (aria-pressed; viewer.css styles it), a toggle is posted with htmx (without JavaScript the
// button posts the page's #reactions-form), the "add a reaction" link opens a picker of the
// fixed set, and focus stays on the button pressed across the live re-render of its target.
(() => {
  const me = document.body.dataset.userId;
  const TARGET = "[data-message-id], [data-comment-id]";

  // ---- aria-pressed: on load, and on whatever is added later (live swaps, htmx answers)
  function markPressed(root) {
    if (!me || !root.querySelectorAll) return;
    const buttons = [...root.querySelectorAll(".reaction[data-users]")];
    if (root.matches(".reaction[data-users]")) buttons.push(root);
    for (const button of buttons) {
      const mine = button.dataset.users.split(" ").includes(me);
      button.setAttribute("aria-pressed", mine ? "true" : "false");
    }
  }
  markPressed(document.body);

  // ---- Toggling: the answer (and the room's or task's broadcast) re-renders the target
  let pending = null; // the button to focus once its target is re-rendered: { id, target, until }

  function toggle(url, emoji, buttonId, targetId) {
    pending = { id: buttonId, target: targetId, until: Date.now() + 5000 };
    htmx.ajax("POST", url, { source: document.body, swap: "none", values: { emoji } });
  }

  // The re-render replaced the focused button (focus fell to the body): focus the new one
  // with its id, or the target's add link if that emoji is gone.
  function restoreFocus() {
    if (!pending) return;
    if (Date.now() > pending.until) {
      pending = null;
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return; // the user moved on
    const again = document.getElementById(pending.id)
      || document.getElementById(pending.target)?.querySelector(".react");
    again?.focus();
  }

  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(markPressed);
    restoreFocus();
  }).observe(document.body, { childList: true, subtree: true });

  // A reaction button is a submit button of #reactions-form (for pages without JavaScript).
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (event.target.id !== "reactions-form" || !button?.formAction) return;
    event.preventDefault();
    toggle(button.formAction, button.value, button.id, button.closest(TARGET)?.id);
  });

  // Someone else's reaction re-renders a target whose add link (no id) or vanished button
  // had the focus: app.js keeps focus on an element with the same id; otherwise it goes
  // back to the target's add link.
  let keptTarget = null;
  document.addEventListener("htmx:wsBeforeMessage", () => {
    keptTarget = document.activeElement?.closest?.(".reactions, .react")?.closest(TARGET)?.id || null;
  });
  document.addEventListener("htmx:wsAfterMessage", () => {
    const active = document.activeElement;
    if (!keptTarget || (active && active !== document.body && active.isConnected)) return;
    document.getElementById(keptTarget)?.querySelector(".react")?.focus();
  });

  // ---- The picker: the fixed set as toggle buttons, next to the add link it opened from
  let picker = null;

  function choices() {
    try {
      return JSON.parse(document.getElementById("reactions-form")?.dataset.choices || "[]");
    } catch {
      return [];
    }
  }

  // The ids the bar gives its buttons (templates/chat/_reactions.html, boards/tasks/_reactions.html).
  function buttonId(target, key) {
    const prefix = target.dataset.messageId ? `m${target.dataset.messageId}` : `c${target.dataset.commentId}`;
    return `${prefix}-${key}`;
  }

  function openPicker(link) {
    const target = link.closest(TARGET);
    const options = choices();
    if (!target || !options.length) return false;
    closePicker(false);
    picker = document.createElement("div");
    picker.className = "reaction-picker";
    picker.setAttribute("role", "group");
    picker.setAttribute("aria-label", "Add a reaction");
    picker.dataset.url = link.href;
    picker.dataset.target = target.id;
    for (const [key, emoji, name] of options) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.emoji = key;
      button.textContent = emoji;
      button.title = name;
      button.setAttribute("aria-label", name);
      const shown = document.getElementById(buttonId(target, key));
      const mine = !!me && !!shown?.dataset.users?.split(" ").includes(me);
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      picker.append(button);
    }
    document.body.append(picker);
    const box = link.getBoundingClientRect();
    picker.style.left = `${box.left + window.scrollX}px`;
    picker.style.top = `${box.bottom + window.scrollY + 4}px`;
    picker.querySelector("button").focus();
    return true;
  }

  // Closed by Escape (focus back to the add link), a choice, a click elsewhere or Tab away.
  function closePicker(refocus) {
    if (!picker) return;
    const target = document.getElementById(picker.dataset.target);
    picker.remove();
    picker = null;
    if (refocus) target?.querySelector(".react")?.focus();
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a.react");
    if (link && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      if (openPicker(link)) event.preventDefault();
      return;
    }
    const choice = event.target.closest?.(".reaction-picker button");
    if (choice && picker) {
      const { url, target } = picker.dataset;
      const id = buttonId(document.getElementById(target), choice.dataset.emoji);
      closePicker(true); // on the add link until the re-render brings the button
      toggle(url, choice.dataset.emoji, id, target);
      return;
    }
    if (picker && !picker.contains(event.target)) closePicker(false);
  });

  document.addEventListener("keydown", (event) => {
    if (!picker || !picker.contains(event.target)) return;
    const buttons = [...picker.querySelectorAll("button")];
    const at = buttons.indexOf(event.target);
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 };
    if (event.key === "Escape") {
      event.preventDefault();
      closePicker(true);
    } else if (event.key in moves) {
      event.preventDefault();
      buttons[(moves[event.key] + buttons.length) % buttons.length].focus();
    }
  });

  document.addEventListener("focusout", (event) => {
    if (picker && event.relatedTarget && !picker.contains(event.relatedTarget)) closePicker(false);
  });
})();
