// Reader analytics beacon, schema v1 (docs/development/analytics-events.md). mag_beacon minifies it
// into the output and loads it with `defer` from base.html. It sends nothing under
// Do-Not-Track or Global Privacy Control, or after the reader opted out (pages/opt-out/).
// Nothing here may break a page: every send is fire-and-forget. Written compactly
// (the minifier strips space, it does not rename) to stay under 1,200 bytes gzipped.
(() => {
  let nav = navigator, doc = document, cfg = doc.currentScript.dataset, reader;
  let on = (el, name, fn) => el.addEventListener(name, fn);
  // Ids only need to be unique, not secret: no crypto needed (and none on plain-http intranets).
  let id = () => Math.random().toString(36).slice(2, 12);

  // First-party storage only (no cookies): the random reader id and the opt-out flag.
  if (nav.doNotTrack == "1" || nav.globalPrivacyControl) return;
  try {
    if (localStorage.mag_optout) return;
    reader = localStorage.mag_reader ||= id();
  } catch {} // storage blocked: an id for this page only
  reader ||= id();

  let base = {
    v: 1, site: cfg.site, reader, view: id(), path: location.pathname,
    article: cfg.article, format: cfg.format
  };
  let send = (type, data) => {
    let body = JSON.stringify({ ...base, type, ...data });
    nav.sendBeacon(cfg.endpoint, body) ||
      fetch(cfg.endpoint, { method: "POST", body, keepalive: true }).catch(() => {});
  };

  // Page view, with the campaign a newsletter link carries (utm_source=newsletter ...).
  let view = { referrer: doc.referrer, audience: cfg.audience };
  new URLSearchParams(location.search).forEach((val, key) => {
    if (/^utm_(source|medium|campaign|content|term)$/.test(key)) view[key] = val;
  });
  send("pageview", view);

  // Engagement: time the page was visible and focused, and the deepest scroll reached.
  let engaged = 0, since = 0, deepest = 0, sent = -1;
  let tick = () => {
    let now = Date.now();
    if (since) engaged += now - since;
    since = !doc.hidden && doc.hasFocus() ? now : 0;
  };
  let depth = () => {
    let seen = (scrollY + innerHeight) / doc.documentElement.scrollHeight;
    deepest = Math.max(deepest, Math.round(seen * 100));
  };
  // Less than a second waits for the next flush: leaving fires up to three of them.
  let flush = () => {
    tick();
    if (engaged > 999 || deepest > sent) {
      send("engagement", { engaged_ms: engaged, scroll: deepest });
      engaged = 0;
      sent = deepest;
    }
  };
  tick();
  depth();
  on(window, "scroll", depth);
  on(window, "focus", tick);
  on(window, "blur", tick);
  // Chromium loses beacons sent from pagehide when a link navigates: beforeunload still delivers.
  on(window, "beforeunload", flush);
  on(window, "pagehide", flush);
  on(doc, "visibilitychange", () => (doc.hidden ? flush() : tick()));

  // Videos (full, short cut, or the home page's preview loop, from data-format): play, then each quartile once.
  for (let video of doc.querySelectorAll("video")) {
    let done = -1;
    let reach = to => {
      while (done < to) {
        done = done < 0 ? 0 : done + 25;
        send("video", {
          format: video.dataset.format || "video", quartile: done,
          muted: video.muted || !video.volume,
          captions: [...video.textTracks].some(t => t.mode == "showing")
        });
      }
    };
    on(video, "play", () => reach(0));
    on(video, "ended", () => reach(100));
    on(video, "timeupdate", () => reach(((video.currentTime / video.duration) * 4 | 0) * 25));
  }

  // The format chosen in the switcher, outbound links and downloads.
  on(doc, "click", event => {
    let link = event.target.closest("a[href]");
    if (!link) return;
    let format = link.dataset.format;
    if (format) return send("format", { format, from: cfg.format });
    let file = link.hasAttribute("download") || /\.(pdf|zip|csv|docx?|xlsx?|pptx?|mp4)$/i.test(link.pathname);
    if (file || (link.host && link.host != location.host)) // mailto: has no host
      send("click", { kind: file ? "download" : "outbound", url: link.href });
  });
})();
