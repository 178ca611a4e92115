// A group arriving on its own joins its neighbour of the same place.
on("notification_groups", {
  "htmx:load"(event) {
    const group = event.target;
    if (!group.matches?.(".notification-group") || !group.isConnected) return;
    const rows = (g) => g.querySelector(".notification-rows");
    const same = (other) => other?.matches(".notification-group") && other.dataset.place === group.dataset.place;
    const next = group.nextElementSibling, previous = group.previousElementSibling;
    if (same(next)) rows(next).prepend(...rows(group).children);
    else if (same(previous)) rows(previous).append(...rows(group).children);
    else return;
    group.remove();
  },
});
