/**
 * Small DOM helpers shared by calculator.js and visualizer.js (window.convnotesDom).
 */
(function () {
  "use strict";

  /** h("div", {class: "x", onclick: f}, child, ...) -> element. */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** "zh" or "en": the root's data-lang, else the page's <html lang>. */
  function languageOf(root) {
    const lang = root.dataset.lang || document.documentElement.lang || "en";
    return lang.toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  /**
   * Carry the page's query string (a tool's state) onto the language switcher's links, so
   * switching language keeps the state. Call after every history.replaceState.
   */
  function carryStateToLanguageLinks() {
    for (const link of document.querySelectorAll("a[hreflang]")) {
      const url = new URL(link.getAttribute("href"), window.location.href);
      url.search = window.location.search;
      link.setAttribute("href", url.href);
      if (link.dataset.keepsState) continue;
      link.dataset.keepsState = "true";
      // Material's click handler on <body> rebuilds the address from its sitemap and drops
      // the query: with state to keep, the link's own href is the right page.
      link.addEventListener("click", (event) => {
        if (window.location.search) event.stopPropagation();
      });
    }
  }

  window.convnotesDom = { h, languageOf, carryStateToLanguageLinks };
})();
