// The notification center groups consecutive notifications of one place under one heading:
// a group arriving on its own (live at the top, the next page's first at the bottom) joins
// its neighbour of the same place. Only these two are compared.
on("notification_groups", {
  "htmx:load"(event) {
    const group = event.target;
    if (!group.matches?.(".notification-group") || !group.isConnected) return;
    const rows = (g) => g.querySelector(".notification-rows");
    const same = (other) => other?.matches(".notification-group") && other.dataset.place === group.dataset.place;
    const next = group.nextElementSibling, previous = group.previousElementSibling;
    if (same(next)) rows(next).prepend(...rows(group).children); // newer rows first
    else if (same(previous)) rows(previous).append(...rows(group).children);
    else return;
    group.remove();
  },
});
