/*
 * Demo host page: the "English | 简体中文" switch. Every text on the page exists in both languages
 * (data-l="en" / data-l="zh"); the page shows one, by <html lang>, set here before the body renders so
 * nothing flickers and the widget starts in the same language. Switching also switches the widget
 * (window.WhoHandles.setLanguage) and is remembered for the next visit.
 */
(function () {
  "use strict";
  var KEY = "whohandles.site.lang";
  var html = document.documentElement;

  function saved() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function apply(lang) {
    html.lang = lang === "zh" ? "zh-CN" : "en";
    var title = document.querySelector("title");
    if (title && title.dataset["title" + (lang === "zh" ? "Zh" : "En")]) {
      title.textContent = title.dataset["title" + (lang === "zh" ? "Zh" : "En")];
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-set-lang]"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set-lang") === lang));
    });
  }

  var first = saved();
  if (first === "zh" || first === "en") apply(first);

  document.addEventListener("DOMContentLoaded", function () {
    apply(html.lang.indexOf("zh") === 0 ? "zh" : "en");
    document.addEventListener("click", function (e) {
      var button = e.target && e.target.closest ? e.target.closest("[data-set-lang]") : null;
      if (!button) return;
      var lang = button.getAttribute("data-set-lang");
      try { localStorage.setItem(KEY, lang); } catch (err) { /* private mode: this visit only */ }
      apply(lang);
      if (window.WhoHandles && window.WhoHandles.setLanguage) window.WhoHandles.setLanguage(lang);
    });
  });
})();
