// The live board (data-js="board-live"): diffs in order, drag and drop, "Show N more",
// cards from the keyboard (docs/javascript.md).
const diffs = stream(0);
const kanban = () => $("#kanban");
let gapTimer = null, filtered;
let moving = null; // { id, title, queue, version }

// A gap waits a second, then the kanban is fetched afresh.
function applyWaitingDiffs() {
  const board = kanban();
  if (!board) return;
  diffs.seq = +board.dataset.version;
  for (let diff; (diff = diffs.next());) applyDiff(board, diff);
  clearTimeout(gapTimer);
  if (diffs.early.size) gapTimer = setTimeout(refetch, 1000);
}

function refetch() {
  if (kanban()) htmx.ajax("GET", kanban().dataset.url, { source: kanban(), target: "#kanban", swap: "outerHTML" });
}

function applyDiff(board, diff) { // templates/boards/_diff.html
  for (const op of [...diff.children]) {
    const twin = op.id && byId(op.id);
    const kind = op.dataset.op;
    if (kind === "card") placeCard(op);
    else if (kind === "remove") byId(op.dataset.id)?.remove();
    else if (kind === "replace") twin?.replaceWith(op);
    else if (kind === "column") twin ? twin.replaceWith(op) : board.querySelector(".new-column").before(op);
    else if (kind === "order") board.querySelector(".new-column").before(...op.dataset.ids.split(",").map(byId).filter(Boolean));
    if (op.isConnected) htmx.process(op);
  }
  board.dataset.version = diff.dataset.version;
  showMore(board);
}

function placeCard(card) {
  const twin = byId(card.id);
  if (twin && +twin.dataset.version > +card.dataset.version) return;
  twin?.remove();
  const list = byId(`column-${card.dataset.inColumn}-cards`);
  if (list && +card.dataset.position <= list.children.length) {
    list.insertBefore(card, list.children[+card.dataset.position]);
  }
}

function showMore(board) {
  for (const link of board.querySelectorAll("[data-show-more]")) {
    const count = +byId(link.id.replace("more", "count")).dataset.count;
    const hidden = count - byId(link.dataset.showMore).children.length;
    link.hidden = hidden <= 0;
    link.textContent = `Show ${hidden} more`;
  }
}

const STEPS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };
const cardOf = (node) => node.closest?.("#kanban .card-title")?.closest(".card[data-move-url]");
const titleOf = (card) => card.querySelector(".card-title");
const centre = (node) => { const box = node.getBoundingClientRect(); return box.top + box.height / 2; };
$("#card-keys-help").hidden = false;

function neighbour(card, direction) {
  if (direction === "up" || direction === "down") {
    let next = card;
    do next = direction === "up" ? next.previousElementSibling : next.nextElementSibling;
    while (next && !next.matches(".card"));
    return next;
  }
  const columns = [...card.closest(".kanban").querySelectorAll(".column[data-column-id]")];
  const step = direction === "left" ? -1 : 1;
  const y = centre(card);
  for (let i = columns.indexOf(card.closest(".column")) + step; columns[i]; i += step) {
    const cards = [...columns[i].querySelectorAll(".cards > .card")];
    if (cards.length) return cards.reduce((a, c) => (Math.abs(centre(c) - y) < Math.abs(centre(a) - y) ? c : a));
  }
  return null;
}

function say(text) { // the server's words; the same again differ by a space
  const status = $("#card-moves");
  if (status) status.textContent = status.textContent === text ? `${text}\u00a0` : text;
}

// One move at a time; keys pressed meanwhile are queued.
function send(card, direction) {
  moving.version = +card.dataset.version + 1;
  htmx.ajax("POST", card.dataset.moveUrl, { source: card, values: { direction }, swap: "none" });
}

function settle() {
  const card = moving && byId(moving.id);
  if (!card || +card.dataset.version < moving.version) return;
  if (idle()) titleOf(card).focus();
  if (moving.queue.length) send(card, moving.queue.shift());
  else moving = null;
}

on("board-live", {
  "htmx:oobBeforeSwap"(event) {
    const diff = event.detail.fragment.firstElementChild;
    if (event.detail.target.id === "card-moves") { // said once the queued moves are sent
      if (!moving?.queue.length) say(diff.textContent);
      event.detail.shouldSwap = false;
      return true;
    }
    const id = event.detail.target.id;
    if (kanban()?.dataset.q && /^(board-diff|kanban)$/.test(id)) { // a filter: refetch (docs)
      clearTimeout(filtered);
      filtered = setTimeout(refetch, 150);
      return !(event.detail.shouldSwap = false);
    }
    if (id !== "board-diff") return;
    event.detail.shouldSwap = false;
    if (!kanban() || !diff) return true;
    diffs.add(+diff.dataset.version, diff);
    applyWaitingDiffs();
    const focus = diff.dataset.focus && byId(diff.dataset.focus);
    if (focus && idle()) focus.focus();
    return true;
  },
  "htmx:oobAfterSwap"(event) { if (event.target.id === "kanban") applyWaitingDiffs(); },
  "htmx:afterSwap"(event) {
    const { target } = event.detail;
    if (target?.id === "kanban") applyWaitingDiffs();
    settle();
  },
  "htmx:afterSettle"(event) { // a popup opens once htmx has processed its form (settle)
    const { target, requestConfig } = event.detail;
    if (target?.id === "quick" && requestConfig?.verb === "get") target.showModal();
  },
  "htmx:wsAfterMessage": settle,
  "htmx:configRequest"(event) { // "Show more"
    const link = event.detail.elt.closest?.("[data-show-more]");
    if (link) event.detail.parameters.offset = byId(link.dataset.showMore).children.length;
  },
  "htmx:afterRequest"(event) {
    const { elt, successful, xhr } = event.detail, quick = byId("quick");
    if (xhr.status === 200 && elt.closest?.("#quick")) { // a card's popup saved
      quick.close(); // back to the card, or to the Undo of one archived (`e`)
      (byId(`${quick.dataset.card}-link`) || document.querySelector(".undo-offer:last-child button"))?.focus();
    }
    if (moving && !successful && elt?.id === moving.id) {
      say(`“${moving.title}” was not moved`);
      moving = null;
    }
    settle();
    if (!successful || !elt.matches?.("[data-show-more]") || !kanban()) return;
    if (xhr.getResponseHeader("X-Board-Version") !== kanban().dataset.version) refetch();
    else showMore(kanban());
  },
  dragstart(event) {
    const card = event.target.closest?.("[data-move-url]");
    if (card) event.dataTransfer.setData("text/x-move-url", card.dataset.moveUrl);
  },
  dragover(event) { if (event.target.closest?.("[data-column-id]")) event.preventDefault(); },
  drop(event) {
    const column = event.target.closest?.("[data-column-id]");
    const url = event.dataTransfer.getData("text/x-move-url");
    if (!column || !url) return;
    event.preventDefault();
    const position = [...column.querySelectorAll("[data-move-url]")]
      .filter((card) => card.dataset.moveUrl !== url && centre(card) < event.clientY).length;
    htmx.ajax("POST", url, { source: column, values: { column_id: column.dataset.columnId, position } });
  },
  keydown(event) {
    const { key } = event, card = cardOf(event.target), direction = STEPS[key], quick = byId("quick");
    const filter = key === "/" && !inField(event) && byId("board-filter");
    const kind = card && !event.altKey && (key === "n" || quick.dataset[key]);
    if (event.ctrlKey || event.metaKey) return;
    if (filter || kind) event.preventDefault();
    if (filter) filter.focus();
    else if (kind === true) card.closest(".column").querySelector(".quick-add [name=title]").focus();
    else if (kind) { // a popup of boards/quick.py
      quick.dataset.card = card.id;
      htmx.ajax("GET", `${titleOf(card).pathname}/quick/${kind}`, quick);
    }
    if (!direction || !card) return;
    if (event.altKey && event.shiftKey) {
      event.preventDefault();
      if (moving?.id === card.id) return moving.queue.push(direction);
      moving = { id: card.id, title: titleOf(card).textContent.trim(), queue: [] };
      send(card, direction);
    } else if (!event.altKey && !event.shiftKey) {
      const next = neighbour(card, direction);
      if (!next) return;
      event.preventDefault();
      titleOf(next).focus();
    }
  },
  focusin(event) {
    if (cardOf(event.target)) event.target.setAttribute("aria-describedby", "card-keys-help");
  },
});
