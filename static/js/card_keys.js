// The board from the keyboard. A card is one Tab stop, its title link: the arrow keys move
// the focus to the card above or below, or to the nearest card of the next column that has
// cards; Alt+Shift+arrows move the card itself (the move endpoint, as the task page's
// buttons do without JavaScript), keep the focus on it once the board's diff has placed
// it, and say where it went in the board's status line (#card-moves). Listeners are on the
// document, so cards added live work too.
(() => {
  const STEPS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };
  let pending = null; // the card on its way: { id, title, from, moves, queue, direction, version }

  // The help says what the keys do only where they work (the page has JavaScript).
  document.getElementById("card-keys-help")?.removeAttribute("hidden");

  // Only the live board's cards (not those of a column's page without the board).
  const cardOf = (node) => node.closest?.("#kanban .card-title")?.closest(".card[data-move-url]");
  const linkOf = (card) => card.querySelector(".card-title");
  const columnsOf = (card) => [...card.closest(".kanban").querySelectorAll(".column[data-column-id]")];
  const centre = (node) => { const box = node.getBoundingClientRect(); return box.top + box.height / 2; };

  function neighbour(card, direction) {
    if (direction === "up" || direction === "down") {
      let next = card;
      do next = direction === "up" ? next.previousElementSibling : next.nextElementSibling;
      while (next && !next.matches(".card"));
      return next;
    }
    // The next column that shows a card, and its card nearest the same height.
    const columns = columnsOf(card);
    const step = direction === "left" ? -1 : 1;
    const y = centre(card);
    for (let i = columns.indexOf(card.closest(".column")) + step; i >= 0 && i < columns.length; i += step) {
      const cards = [...columns[i].querySelectorAll(".cards > .card")];
      if (cards.length) {
        return cards.reduce((best, c) => (Math.abs(centre(c) - y) < Math.abs(centre(best) - y) ? c : best));
      }
    }
    return null;
  }

  // Where a card is now: its column's name, its place and how many the column holds.
  function where(card) {
    const column = card.closest(".column");
    const counter = document.getElementById(`column-${column.dataset.columnId}-count`);
    const heading = document.getElementById(column.getAttribute("aria-labelledby"));
    const name = [...heading?.childNodes || []].filter((node) => node !== counter)
      .map((node) => node.textContent).join("").trim();
    const cards = [...card.parentElement.children];
    return {
      column: column.dataset.columnId, name, position: cards.indexOf(card) + 1,
      count: +counter?.dataset.count || cards.length,
    };
  }

  function say(text) {
    const status = document.getElementById("card-moves");
    if (!status) return;
    // The same words twice (a card at an edge) are still read: they differ by a space.
    status.textContent = status.textContent === text ? `${text}\u00a0` : text;
  }

  // One move at a time: a key pressed while the card is on its way is queued, and sent from
  // where the card lands (htmx would drop a request whose card the diff has replaced). The
  // card is said where it is once the last has landed.
  function move(card, direction) {
    if (pending?.id === card.id) {
      pending.queue.push(direction);
      return;
    }
    pending = { id: card.id, title: linkOf(card).textContent.trim(), from: where(card), moves: 0, queue: [] };
    send(card, direction);
  }

  function send(card, direction) {
    // Each move adds one to the card's version: it has landed when it shows that one.
    Object.assign(pending, { direction, version: +card.dataset.version + 1, moves: pending.moves + 1 });
    htmx.ajax("POST", card.dataset.moveUrl, { source: card, values: { direction }, swap: "none" });
  }

  // Once the card is back with a newer version (the answer's diff or the socket's, whichever
  // came first), focus it and say where it is.
  const EDGES = { up: "first in", down: "last in", left: "in the first column,", right: "in the last column," };
  function settle() {
    const card = pending && document.getElementById(pending.id);
    if (!card || +card.dataset.version < pending.version) return;
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) linkOf(card).focus();
    if (pending.queue.length) return send(card, pending.queue.shift());
    const { title, from, direction, moves } = pending;
    pending = null;
    const to = where(card);
    const stayed = moves === 1 && to.column === from.column && to.position === from.position;
    say(stayed ? `“${title}” is already ${EDGES[direction]} ${to.name}`
      : `Moved “${title}” to ${to.name}, position ${to.position} of ${to.count}`);
  }
  for (const type of ["htmx:afterRequest", "htmx:wsAfterMessage", "htmx:afterSwap"]) {
    document.addEventListener(type, settle);
  }
  // Refused (the page's error line says why) or not sent: say so.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!pending || event.detail.successful || event.detail.elt?.id !== pending.id) return;
    say(`“${pending.title}” was not moved`);
    pending = null;
  });

  document.addEventListener("keydown", (event) => {
    const direction = STEPS[event.key];
    const card = direction && cardOf(event.target);
    if (!card || event.ctrlKey || event.metaKey) return;
    if (event.altKey && event.shiftKey) {
      event.preventDefault();
      move(card, direction);
    } else if (!event.altKey && !event.shiftKey) {
      const next = neighbour(card, direction);
      if (!next) return;
      event.preventDefault();
      linkOf(next).focus();
    }
  });

  // A focused card's link is described by the help (only with JavaScript: the keys need it).
  document.addEventListener("focusin", (event) => {
    if (cardOf(event.target) && document.getElementById("card-keys-help")) {
      event.target.setAttribute("aria-describedby", "card-keys-help");
    }
  });
})();
