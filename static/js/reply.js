// Replies: a message's Reply link sets the composer's reply target, and a quote's link
// scrolls to the original, loading older pages until it is there. Without JavaScript both
// are plain links (the room page with ?reply_to=<id>, or the page ?around=<id>).
(() => {
  const EXCERPT = 100; // characters, as taskflow/markup.py quotes
  const MAX_PAGES = 20; // older pages loaded before the page around the original opens instead

  const target = () => document.querySelector("[data-replying]");
  const composer = () => document.querySelector("[data-composer] textarea");

  function excerptOf(message) {
    const text = (message.querySelector(".message-body")?.textContent || "").replace(/\s+/g, " ").trim();
    return text.length <= EXCERPT ? text : `${text.slice(0, EXCERPT - 1).trimEnd()}…`;
  }

  function replyTo(message) {
    const box = target();
    if (!box) return false;
    box.querySelector("input[name=reply_to]").value = message.dataset.messageId;
    box.querySelector("[data-replying-author]").textContent =
      message.querySelector(".author")?.textContent || "deleted user";
    box.querySelector("[data-replying-excerpt]").textContent = excerptOf(message);
    box.hidden = false;
    composer()?.focus();
    return true;
  }

  function cancelReply() {
    const box = target();
    if (!box || box.hidden) return;
    box.hidden = true;
    box.querySelector("input[name=reply_to]").value = "";
  }

  // Reply (next to Edit and Delete): the reply target, and the caret in the composer.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("[data-message-list] .message a.reply");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (replyTo(link.closest(".message"))) event.preventDefault();
  });

  // ✕ and Esc cancel it (Esc in the composer also clears the text: app.js).
  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-reply-cancel]")) return;
    event.preventDefault();
    cancelReply();
    composer()?.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.closest?.("[data-composer] textarea")) cancelReply();
  });

  // The message carries the target when it is sent (app.js keeps it for a resend); the
  // next one is not a reply unless the user says so again.
  document.addEventListener("htmx:wsConfigSend", (event) => {
    if (event.detail.parameters.type !== "typing" && event.target.closest?.("[data-outbox]")) {
      cancelReply();
    }
  });

  // A quote: scroll to the original and highlight it, loading older pages (the page's own
  // "Load older messages") while it is not on the page.
  document.addEventListener("click", async (event) => {
    const quote = event.target.closest?.("a[data-reply-quote]");
    if (!quote || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const id = `message-${quote.dataset.replyQuote}`;
    for (let pages = 0; !document.getElementById(id) && pages < MAX_PAGES; pages += 1) {
      const older = document.querySelector("#load-older a");
      if (!older || !(await loadOlder(older))) break;
    }
    const original = document.getElementById(id);
    if (original) reveal(original);
    else window.location.assign(quote.href); // deleted, or further back: the page around it
  });

  // Through the link itself: htmx drops the click if the link is already loading (it also
  // loads when scrolled into view), so no page comes twice. Done when the page replaced it.
  function loadOlder(link) {
    link.click();
    const deadline = Date.now() + 10000;
    return new Promise((resolve) => {
      const check = () => {
        if (!link.isConnected) resolve(true);
        else if (Date.now() > deadline) resolve(false);
        else setTimeout(check, 50);
      };
      check();
    });
  }

  function reveal(message) {
    message.scrollIntoView({ block: "center" });
    message.tabIndex = -1;
    message.focus({ preventScroll: true });
    message.classList.add("highlighted");
    setTimeout(() => message.classList.remove("highlighted"), 2500);
  }
})();
