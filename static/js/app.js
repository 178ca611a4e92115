// TaskFlow's own JavaScript: only what htmx cannot do by itself. Everything works without it.

// Drag and drop of cards. The keyboard path (the arrow buttons on each card) needs none of this.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest?.(".card[data-task-id]");
  if (card) event.dataTransfer.setData("text/x-task-id", card.dataset.taskId);
});

document.addEventListener("dragover", (event) => {
  if (event.target.closest?.(".column[data-column-id]")) event.preventDefault();
});

document.addEventListener("drop", (event) => {
  const column = event.target.closest?.(".column[data-column-id]");
  const taskId = event.dataTransfer.getData("text/x-task-id");
  if (!column || !taskId) return;
  event.preventDefault();
  // The new position is the number of cards (other than this one) above the drop point.
  const cards = [...column.querySelectorAll(".card[data-task-id]")]
    .filter((card) => card.dataset.taskId !== taskId);
  const position = cards.filter((card) => {
    const box = card.getBoundingClientRect();
    return box.top + box.height / 2 < event.clientY;
  }).length;
  htmx.ajax("POST", `/tasks/${taskId}/move`, {
    source: column,
    target: "#kanban",
    swap: "outerHTML",
    values: { column_id: column.dataset.columnId, position },
  });
});
