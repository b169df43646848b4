// "For you" (mag_goals, MAG_FOR_YOU): the format switcher and the front page's format rows put
// first the formats this reader has finished before. Everything stays in this browser's
// localStorage (mag_done: {format: [paths of the pages]}); no identifier is made, nothing is sent.
// Loaded without defer in <head>, so the order is set (CSS `order`, in a style sheet made here)
// before anything is painted; the elements themselves are moved once the page is parsed,
// before any deferred script runs, so keyboard order follows what the reader sees.
// Nothing under Do-Not-Track, Global Privacy Control or opt-out: default order, nothing stored.
(() => {
  const nav = navigator, doc = document, cfg = doc.currentScript.dataset;
  const order = cfg.order.split(" ");
  const READ_SCROLL = 90; // percent: the report's 読了 rule (analytics/report/settings.py)
  if (nav.doNotTrack == "1" || nav.globalPrivacyControl) return;
  let store, done;
  try {
    store = localStorage;
    if (store.mag_optout) return;
    done = JSON.parse(store.mag_done || "{}");
  } catch {
    return; // storage blocked or unreadable: the default order
  }

  // The holdout keeps the default order: the same rule as mag_goals/holdout.py, on the
  // beacon's reader id (last four characters read in base 36, mod 100, below the share).
  const holdout = reader => !!reader && parseInt(reader.slice(-4), 36) % 100 < +cfg.holdout;
  const count = format => (done[format] || []).length;

  // Most finished first; ties (and a new reader) keep the default order (sort is stable).
  if (!holdout(store.mag_reader)) {
    const ranked = [...order].sort((a, b) => count(b) - count(a));
    const place = Object.fromEntries(ranked.map((format, index) => [format, index]));
    // A constructed style sheet: one rule a format, from the formats the page lists, so a new
    // format needs no CSS of its own.
    const sheet = new CSSStyleSheet();
    const rule = (format, index) => `[data-for-you-format="${format}"]{order:${index}}`;
    sheet.replaceSync(ranked.map(rule).join(""));
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    const move = () => {
      for (const box of doc.querySelectorAll("[data-for-you]")) {
        const items = [...box.children].filter(item => item.dataset.forYouFormat);
        items.sort((a, b) => place[a.dataset.forYouFormat] - place[b.dataset.forYouFormat]);
        for (const item of items) box.append(item);
      }
    };
    doc.addEventListener("readystatechange", move, { once: true }); // "interactive": parsed
  }

  // What this reader finishes here: a video or short cut played to its end, or a page read to
  // its end for at least its reading time (data-read-ms) while visible and focused.
  // Kept by the page's path (an article's page, or its transcript or illustrated page), so
  // each story counts once a format.
  const path = location.pathname;
  const finish = format => {
    const list = (done[format] || []).filter(seen => seen != path);
    done[format] = [...list, path].slice(-50); // recent ones are enough to rank formats
    try {
      store.mag_done = JSON.stringify(done);
    } catch {} // storage full or blocked: nothing to keep
  };
  if (!cfg.format) return; // not one of an article's pages
  doc.addEventListener("ended", event => {
    const format = event.target.dataset.format || "video";
    if (order.includes(format)) finish(format); // the home page's preview loop is not a format
  }, true);
  let engaged = 0;
  const timer = setInterval(() => {
    if (!doc.hidden && doc.hasFocus()) engaged += 1000;
    const seen = (scrollY + innerHeight) * 100 / doc.documentElement.scrollHeight;
    if (engaged >= +cfg.readMs && seen >= READ_SCROLL) {
      finish(cfg.format);
      clearInterval(timer);
    }
  }, 1000);
})();
