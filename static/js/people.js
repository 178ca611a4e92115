// People (issue 13): the browser's time zone, for times rendered in it on the server
// (taskflow/timezones.py). Without JavaScript times stay in UTC until set on the profile page.
"use strict";

(() => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!zone) return;

  // The login and registration forms carry it as a hidden field (the server validates it).
  for (const input of document.querySelectorAll("input[data-browser-zone]")) input.value = zone;

  // A logged-in user with no zone yet (registered before zones, or logged in without
  // JavaScript): send it once; the next pages render in it.
  const url = document.body.dataset.zoneUnset;
  if (!url) return;
  let token = "";
  try {
    token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return;
  }
  const body = new URLSearchParams({ time_zone: zone });
  fetch(url, { method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
    .then((response) => { if (response.ok) delete document.body.dataset.zoneUnset; })
    .catch(() => {});
})();

// Day separators: a page of older messages ends with the day the list it is put above may
// begin with; keep the first separator of each day (the list is oldest first).
document.addEventListener("htmx:afterSettle", () => {
  const seen = new Set();
  for (const separator of document.querySelectorAll("[data-message-list] .day-separator")) {
    if (seen.has(separator.dataset.day)) separator.remove();
    else seen.add(separator.dataset.day);
  }
});
