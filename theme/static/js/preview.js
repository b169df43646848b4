// Muted, looping previews of short cuts on lists (video[data-preview]).
// Loaded as a module, so it runs once however many cards include it.
// Nothing moves for readers who ask for reduced motion, and a preview plays
// only while it is on screen, so a long list does not download every video.
const reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
const previews = [...document.querySelectorAll("video[data-preview]")];
const visible = new Set();

function update(video) {
  if (!reduce.matches && visible.has(video)) {
    video.muted = true;
    video.autoplay = true;
    video.play().catch(() => {}); // a browser may still refuse: the poster stays
  } else {
    video.autoplay = false;
    video.pause();
  }
}

const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) visible.add(entry.target);
    else visible.delete(entry.target);
    update(entry.target);
  }
}, { threshold: 0.25 });

for (const video of previews) observer.observe(video);
reduce.addEventListener("change", () => previews.forEach(update));
