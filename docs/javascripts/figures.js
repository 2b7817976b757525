// Pause buttons of the animations (markup by hooks/figures.py): pausing shows the still
// strip in place of the GIF; the button is hidden until this script runs.
(function () {
  "use strict";

  function toggle(button) {
    var figure = button.closest(".cn-anim");
    var paused = !figure.classList.contains("cn-paused");
    figure.classList.toggle("cn-paused", paused);
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    button.textContent = paused ? button.dataset.play : button.dataset.pause;
  }

  function setUp() {
    document.querySelectorAll(".cn-anim-toggle").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        toggle(button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
