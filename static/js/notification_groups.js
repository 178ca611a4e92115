// A row arriving live joins the group below it of the same place (a next page's first
// rows are joined by the server: notifications/_page.html).
on("notification_groups", {
  "htmx:load"({ target: group }) {
    const rows = (g) => g.querySelector(".notification-rows"), next = group.nextElementSibling;
    if (!group.matches?.(".notification-group") || !next?.matches(`[data-place="${group.dataset.place}"]`)) return;
    rows(next).prepend(...rows(group).children);
    group.remove();
  },
});
