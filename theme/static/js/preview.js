// Short-cut previews on lists ([data-preview-box]: a muted <video> and its button).
// Loaded as a module, so it runs once however many cards include it.
//
// The reader is in control (WCAG 2.2.2): every preview has a visible play/pause
// button. A preview starts by itself only on a wide screen with a hovering
// pointer, when the reader has not asked for reduced motion or reduced data, and
// then plays once through; on a phone it stays a poster until tapped, so the
// page costs its posters and nothing more (preload="none" fetches no video).
const reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
const roomy = window.matchMedia("(hover: hover) and (min-width: 48rem)");

function mayStartItself() {
  const saveData = navigator.connection && navigator.connection.saveData;
  return roomy.matches && !reduce.matches && !saveData;
}

function play(video, { loop }) {
  video.muted = true;
  video.loop = loop;
  video.play().catch(() => {}); // a browser may still refuse: the poster stays
}

function setUp(box) {
  const video = box.querySelector("video[data-preview]");
  const button = box.querySelector("[data-preview-toggle]");
  const label = button && button.querySelector("[data-label]");
  if (!video || !button || box.dataset.ready) return null;
  box.dataset.ready = "true";
  const show = () => {
    const playing = !video.paused && !video.ended;
    label.textContent = playing ? button.dataset.pause : button.dataset.play;
    box.classList.toggle("is-playing", playing);
  };
  for (const type of ["play", "pause", "ended"]) video.addEventListener(type, show);
  button.addEventListener("click", () => {
    box.dataset.chosen = "true"; // from now on only the reader starts or stops it
    if (video.paused || video.ended) play(video, { loop: true });
    else video.pause();
  });
  button.hidden = false;
  return video;
}

const observer = new IntersectionObserver(
  (entries) => {
    for (const { target: box, isIntersecting } of entries) {
      const video = box.querySelector("video[data-preview]");
      if (!isIntersecting) video.pause();
      else if (!box.dataset.chosen && !box.dataset.played && mayStartItself()) {
        box.dataset.played = "true"; // once through, then the poster's last frame rests
        play(video, { loop: false });
      }
    }
  },
  { threshold: 0.6 },
);

for (const box of document.querySelectorAll("[data-preview-box]")) {
  if (setUp(box)) observer.observe(box);
}
reduce.addEventListener("change", () => {
  if (!reduce.matches) return;
  for (const video of document.querySelectorAll("video[data-preview]")) video.pause();
});
