// The opt-out page's buttons. The keys are the ones beacon.js and for-you.js read:
// "mag_optout" stops both; "mag_reader" (the random reader id) and "mag_done" (the formats
// this reader finished, for the "for you" order) are removed on opting out.
const statusLine = document.querySelector(".opt-out-status");

function show() {
  try {
    statusLine.textContent = localStorage.getItem("mag_optout") ? statusLine.dataset.off : statusLine.dataset.on;
  } catch {
    statusLine.textContent = statusLine.dataset.unavailable;
  }
}

for (const button of document.querySelectorAll("[data-opt-out]")) {
  button.addEventListener("click", () => {
    try {
      if (button.dataset.optOut === "stop") {
        localStorage.setItem("mag_optout", "1");
        localStorage.removeItem("mag_reader");
        localStorage.removeItem("mag_done");
      } else {
        localStorage.removeItem("mag_optout");
      }
    } catch {
      // Storage is blocked: show() says so.
    }
    show();
  });
}
show();
