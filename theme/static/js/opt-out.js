// The opt-out page's buttons. The keys are the ones beacon.js reads: "mag_optout"
// stops it; "mag_reader" is the random reader id, removed on opting out.
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
