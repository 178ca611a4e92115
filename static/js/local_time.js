// <time datetime> in <body data-zone>; a live day separator only where the day changes.
(() => {
  const o = { weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  let z = page.zone, f;
  try { f = new Intl.DateTimeFormat("en-US", { ...o, timeZone: z }); }
  catch { z = undefined; f = new Intl.DateTimeFormat("en-US", o); }
  const k = new Intl.DateTimeFormat("en-CA", { timeZone: z, dateStyle: "short" });
  const at = (w) => {
    const p = { key: k.format(new Date(w)) };
    for (const { type, value } of f.formatToParts(new Date(w))) p[type] = value;
    p.d = `${+p.day} ${p.month}`;
    p.t = `${p.hour}:${p.minute}`;
    return p;
  };
  const run = () => {
    const n = at(Date.now());
    const q = new Date(Date.parse(n.key) - 864e5).toISOString().slice(0, 10);
    const y = (p) => (p.year === n.year ? "" : ` ${p.year}`);
    for (const t of $$("time[datetime$=Z]")) {
      if (t.l) continue;
      t.l = 1;
      const p = at(t.dateTime);
      t.textContent = !t.dataset.local || p.key === n.key ? p.t
        : `${+p.day} ${p.month.slice(0, 3)}${y(p)}, ${p.t}`;
      t.title = `${p.weekday} ${p.d} ${p.year}, ${p.t}`;
    }
    // A due date's state in words in the reader's zone (due_dates.state's rule).
    const m = new Date(Date.parse(n.key) + 864e5).toISOString().slice(0, 10);
    for (const s of $$("[data-due]")) {
      const w = s.lastChild.dateTime, z = w.at(-1) == "Z", l = Date.parse(w) - Date.now(),
        k = z ? at(w).key : w, v = (z ? l < 0 : k < n.key) ? "overdue" : k == n.key ? "today"
          : (z ? l < 864e5 : k == m) ? "soon" : "";
      s.dataset.due = v;
      s.firstChild.textContent = v == "overdue" ? "Overdue" : `Due ${v}`.trim();
    }
    for (const s of $$(".day-separator[data-at]")) {
      let b = s.previousElementSibling;
      while (b && !b.dataset.messageId) b = b.previousElementSibling;
      const p = at(s.dataset.at), t = b?.querySelector("time");
      if (!s.nextElementSibling?.dataset.messageId || (t && at(t.dateTime).key === p.key)) {
        s.remove();
        continue;
      }
      s.firstChild.textContent = p.key === n.key ? "Today"
        : p.key === q ? "Yesterday" : `${p.weekday} ${p.d}${y(p)}`;
      s.dataset.day = p.key;
      delete s.dataset.at;
      s.hidden = false;
    }
  }
  on("local_time", { "htmx:afterSwap": run, "htmx:oobAfterSwap": run, "htmx:wsAfterMessage": run });
  run();
})();
