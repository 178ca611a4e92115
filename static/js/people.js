// A signed-in user with no time zone yet (registered before zones, or without JavaScript):
// the browser's is sent once (the server validates it); the next pages render in it.
(() => {
  const url = document.body.dataset.zoneUnset;
  const zone = url && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  fetch(url, { method: "POST", body: new URLSearchParams({ time_zone: zone }), headers: { "X-CSRFToken": token } })
    .then((response) => { if (response.ok) delete document.body.dataset.zoneUnset; }, () => {});
})();
