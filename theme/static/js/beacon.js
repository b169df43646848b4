// Reader analytics beacon, schema v2 (docs/development/analytics-events.md). mag_beacon minifies it
// into the output and loads it with `defer` from base.html. It sends nothing under
// Do-Not-Track or Global Privacy Control, or after the reader opted out (pages/opt-out/).
// Nothing here may break a page: every send is fire-and-forget. Written compactly
// (the minifier strips space, it does not rename) to stay under 1,200 bytes gzipped;
// what is not about sending events (the "for you" order) is in for-you.js.
(() => {
  let n = navigator, d = document, loc = location, c = d.currentScript.dataset, r,
    on = (name, fn, el = window) => el.addEventListener(name, fn),
    // Ids only need to be unique, not secret: no crypto needed (and none on plain-http intranets).
    id = () => Math.random().toString(36).slice(2, 12);

  // First-party storage only (no cookies): the random reader id and the opt-out flag.
  if (n.doNotTrack == 1 || n.globalPrivacyControl) return;
  try {
    if (localStorage.mag_optout) return;
    r = localStorage.mag_reader ||= id();
  } catch {} // storage blocked: an id for this page only

  let base = {
      v: 2, site: c.site, reader: r || id(), view: id(), path: loc.pathname,
      article: c.article, format: c.format
    },
    // No fetch fallback: sendBeacon refuses only over its in-flight quota, which a keepalive
    // fetch shares, and it is older than everything else this script needs.
    send = (type, data) => n.sendBeacon(c.endpoint, JSON.stringify({ ...base, type, ...data })),
    // Page view, with the campaign a newsletter link carries (utm_source=newsletter ...).
    view = { referrer: d.referrer, audience: c.audience },
    // Goals (MAG_GOALS), each sent once a view: the build lists the page goals this page
    // reaches in data-reached, and the link goals' URL patterns in data-goals ([[id, regex]]).
    got = {},
    goal = g => got[g] || send("goal", { goal: got[g] = g });
  for (let [key, val] of new URLSearchParams(loc.search))
    /^utm_(source|medium|campaign|content|term)$/.test(key) && (view[key] = val);
  send("pageview", view);
  c.reached?.split(" ").map(goal);

  // Engagement: time the page was visible and focused, and the deepest scroll reached.
  let ms = 0, at = 0, deep = 0, sent = -1,
    tick = () => {
      let now = Date.now();
      if (at) ms += now - at;
      at = !d.hidden && d.hasFocus() ? now : 0;
    },
    scrolled = () => {
      deep = Math.max(deep, Math.round((scrollY + innerHeight) * 100 / d.documentElement.scrollHeight));
    },
    // Less than a second waits for the next flush: leaving fires up to three of them.
    flush = () => {
      tick();
      if (ms > 999 || deep > sent) {
        send("engagement", { engaged_ms: ms, scroll: sent = deep });
        ms = 0;
      }
    };
  tick();
  scrolled();
  on("scroll", scrolled);
  on("focus", tick);
  on("blur", tick);
  // Chromium loses beacons sent from pagehide when a link navigates: beforeunload still delivers.
  on("beforeunload", flush);
  on("pagehide", flush);
  on("visibilitychange", () => (d.hidden ? flush() : tick()), d);

  // Videos (full, short cut, or the home page's preview loop, from data-format): play, then each quartile once.
  for (let v of d.querySelectorAll("video")) {
    let q = -25,
      reach = to => {
        while (q < to) send("video", {
          format: v.dataset.format || "video", quartile: q += 25,
          muted: v.muted || !v.volume,
          captions: [...v.textTracks].some(t => t.mode == "showing")
        });
      };
    on("play", () => reach(0), v);
    on("ended", () => reach(100), v);
    on("timeupdate", () => reach((v.currentTime / v.duration * 4 | 0) * 25), v);
  }

  // Goal buttons and links, the format chosen in the switcher, outbound links and downloads.
  on("click", e => {
    let a = e.target.closest("[data-goal]");
    if (a) goal(a.dataset.goal);
    if (!(a = e.target.closest("a[href]"))) return;
    for (let [g, re] of JSON.parse(c.goals)) RegExp(re).test(a.href) && goal(g);
    if (a.dataset.format) return send("format", { format: a.dataset.format, from: c.format });
    let file = a.hasAttribute("download") || /\.(pdf|zip|csv|docx?|xlsx?|pptx?|mp4)$/i.test(a.pathname);
    if (file || (a.host && a.host != loc.host)) // mailto: has no host
      send("click", { kind: file ? "download" : "outbound", url: a.href });
  }, d);
})();
