// Render math with the local KaTeX copy (docs/javascripts/vendor/katex, from npm; no CDN).
// Markdown pages: pymdownx.arithmatex (generic) wraps math in .arithmatex as \( \) / \[ \].
// Notebook pages are Markdown pages too (hooks/notebooks.py writes them).
(function () {
  "use strict";

  var OPTIONS = { throwOnError: false, strict: "ignore" };

  function renderArithmatex(root) {
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.dataset.katexDone) return;
      var tex = element.textContent.trim();
      var display = element.tagName === "DIV" || tex.startsWith("\\[");
      tex = tex.replace(/^\\[\[(]/, "").replace(/\\[\])]$/, "");
      katex.render(tex, element, Object.assign({ displayMode: display }, OPTIONS));
      element.dataset.katexDone = "1";
    });
  }

  function renderAll() {
    if (typeof katex === "undefined") return;
    renderArithmatex(document);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderAll);  // Material's page-load observable
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
})();
