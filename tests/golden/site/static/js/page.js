/* Page controls of a document page: 【打印】 and 【字体：大 中 小】.
 * No dependencies and no inline script (CSP-friendly). The controls are rendered with the `hidden`
 * attribute so that without JavaScript they never show; this script reveals them.
 * The chosen size is set as data-font on <html> (the stylesheet sizes the text from it) and
 * remembered in localStorage, which may be unavailable (private mode, disabled storage). */
(function () {
  "use strict";

  var KEY = "xxgk-font-size";
  var SIZES = ["large", "medium", "small"];
  var root = document.documentElement;

  function load() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (e) {
      return null;
    }
  }

  function save(size) {
    try {
      window.localStorage.setItem(KEY, size);
    } catch (e) {
      /* storage refused: the choice lasts for this page only */
    }
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function apply(size) {
    if (SIZES.indexOf(size) < 0) {
      size = "medium";
    }
    root.setAttribute("data-font", size);
    each(document.querySelectorAll(".page-controls [data-font]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-font") === size ? "true" : "false");
    });
  }

  apply(load());

  each(document.querySelectorAll(".page-controls"), function (bar) {
    bar.removeAttribute("hidden");
    bar.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button") : null;
      if (!button || !bar.contains(button)) {
        return;
      }
      if (button.getAttribute("data-action") === "print") {
        window.print();
        return;
      }
      var size = button.getAttribute("data-font");
      if (size) {
        apply(size);
        save(size);
      }
    });
  });
})();
