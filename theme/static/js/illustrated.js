// A pause button for each animated panel of an illustrated page (WCAG 2.2.2).
// Pausing shows the still first frame: the animated <source> is switched off,
// so the <picture> falls through to the still its reduced-motion source and
// <img> already carry. Without this script the animation plays a few seconds
// at most (see mag_illustrated.animation) and rests on its last frame.
for (const button of document.querySelectorAll("[data-panel-pause]")) {
  const picture = button.closest(".panel__figure").querySelector("picture");
  const moving = picture && picture.querySelector("source:not([media])");
  if (!moving) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const pausing = !moving.hasAttribute("media");
    if (pausing) moving.setAttribute("media", "not all");
    else moving.removeAttribute("media");
    button.textContent = pausing ? button.dataset.play : button.dataset.pause;
    button.setAttribute("aria-pressed", String(pausing));
  });
}
