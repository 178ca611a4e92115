// The notification center groups consecutive notifications of one place (a room, a task)
// under one heading. A group that arrives on its own (a live one at the top, the first of
// the next page at the bottom) joins its neighbour when that is the same place: only these
// two are compared, whatever the number of notifications shown.
(() => {
  const rowsOf = (group) => group.querySelector(".notification-rows");
  const samePlace = (group, other) =>
    other?.matches(".notification-group") && other.dataset.place === group.dataset.place;

  document.addEventListener("htmx:load", (event) => {
    const group = event.target;
    if (!group.matches?.(".notification-group") || !group.isConnected) return;
    const next = group.nextElementSibling;
    const previous = group.previousElementSibling;
    if (samePlace(group, next)) {
      rowsOf(next).prepend(...rowsOf(group).children);  // newer rows go first
      group.remove();
    } else if (samePlace(group, previous)) {
      rowsOf(previous).append(...rowsOf(group).children);  // older rows go last
      group.remove();
    }
  });
})();
