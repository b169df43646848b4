// Transcript helpers (mag_transcript). Everything works without this script:
// time links open the video file at that point ('#t=' media fragment).
// With it, on the video article page a time link seeks the player '#video',
// the paragraph being spoken is highlighted, and '#t=12.5' in the page address
// starts the player there; on the transcript page a time link opens the video
// article at that time, and 「ショートで見る」 its short player at the highlight.
(() => {
  "use strict";

  const bodies = document.querySelectorAll("[data-transcript]");
  if (!bodies.length) return;
  const player = document.getElementById("video");
  const shortPlayer = document.getElementById("short");

  function seek(video, seconds) {
    const go = () => {
      video.currentTime = seconds;
      const playing = video.play();
      if (playing) playing.catch(() => {}); // autoplay rules may refuse; the seek stands
    };
    if (video.readyState >= 1) go();
    else video.addEventListener("loadedmetadata", go, { once: true });
    video.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    const link = event.target.closest(".transcript-time, .transcript-short-link");
    if (!link) return;
    const isShort = link.classList.contains("transcript-short-link");
    const seconds = parseFloat(isShort ? link.dataset.shortT : link.dataset.t);
    if (!Number.isFinite(seconds)) return;
    const target = isShort ? shortPlayer : player;
    if (target) {
      event.preventDefault();
      seek(target, seconds);
      return;
    }
    const body = link.closest("[data-transcript]");
    if (body && body.dataset.articleUrl) {
      // On the transcript page: open the video article's player at that time.
      event.preventDefault();
      location.href = `${body.dataset.articleUrl}#${isShort ? "short-t" : "t"}=${seconds}`;
    }
  });

  // Arriving from the transcript page's 「ショートで見る」: the short player, at the highlight.
  const shortMatch = /^#short-t=(\d+(?:\.\d+)?)$/.exec(location.hash);
  if (shortMatch && shortPlayer) {
    const seconds = parseFloat(shortMatch[1]);
    const go = () => {
      shortPlayer.currentTime = seconds;
    };
    if (shortPlayer.readyState >= 1) go();
    else shortPlayer.addEventListener("loadedmetadata", go, { once: true });
    shortPlayer.scrollIntoView({ block: "center" });
  }

  if (!player) return;

  const paragraphs = [...document.querySelectorAll(".transcript-paragraph[data-start]")].map(
    (element) => ({ element, start: parseFloat(element.dataset.start) }),
  );
  let current = null;

  function follow() {
    const now = player.currentTime;
    let found = null;
    for (const paragraph of paragraphs) {
      if (paragraph.start <= now + 0.05) found = paragraph;
      else break;
    }
    if (found === current) return;
    if (current) {
      current.element.classList.remove("is-current");
      current.element.removeAttribute("aria-current");
    }
    current = found;
    if (!current) return;
    current.element.classList.add("is-current");
    current.element.setAttribute("aria-current", "time");
    keepInView(current.element);
  }

  // Scroll the panel (not the page) so the spoken paragraph stays visible.
  function keepInView(element) {
    const box = element.closest(".transcript-body");
    if (!box || box.scrollHeight <= box.clientHeight) return;
    const top = element.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop || top + element.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: "smooth" });
    }
  }

  player.addEventListener("timeupdate", follow);
  player.addEventListener("seeked", follow);

  const match = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
  if (match) {
    const seconds = parseFloat(match[1]);
    // Arriving from the transcript page: keep the text open beside the player.
    const panel = document.querySelector("details.transcript-panel");
    if (panel) panel.open = true;
    const go = () => {
      player.currentTime = seconds;
      follow();
    };
    if (player.readyState >= 1) go();
    else player.addEventListener("loadedmetadata", go, { once: true });
    player.scrollIntoView({ block: "center" });
  }
})();
