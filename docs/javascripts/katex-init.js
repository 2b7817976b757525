// Render math with the local KaTeX copy (docs/javascripts/vendor/katex, from npm; no CDN).
// Markdown pages: pymdownx.arithmatex (generic) wraps math in .arithmatex as \( \) / \[ \].
// Notebook pages: nbconvert leaves $...$ / $$...$$ as text in rendered markdown cells.
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

  function renderNotebookMarkdown(root) {
    if (typeof renderMathInElement !== "function") return;
    // Notebook headings reach the page's table of contents as text, with their $...$.
    var selector = ".jupyter-wrapper .jp-RenderedMarkdown";
    if (root.querySelector(".jupyter-wrapper")) selector += ", nav.md-nav--secondary";
    root.querySelectorAll(selector).forEach(function (element) {
      if (element.dataset.katexDone) return;
      renderMathInElement(element, Object.assign({
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false }
        ],
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code"]
      }, OPTIONS));
      element.dataset.katexDone = "1";
    });
  }

  function renderAll() {
    if (typeof katex === "undefined") return;
    renderArithmatex(document);
    renderNotebookMarkdown(document);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderAll);  // Material's page-load observable
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
})();
