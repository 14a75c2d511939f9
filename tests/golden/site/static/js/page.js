/* The reading aids of every page: 关怀版 and 【字体：大 中 小】 remembered across pages, 【打印】, the pager's
 * page jump, and the print date. No dependencies and no inline script (CSP-friendly).
 *
 * The 关怀版 switch and the 字体 radios are plain form controls that the stylesheet reads (:has), so they work
 * on the page at hand with JavaScript off. This script, loaded in <head> without defer, copies the remembered
 * choice onto <html> (data-care, data-font) before the first paint, then sets the controls to match and saves
 * each change in localStorage, which may be unavailable (private mode, disabled storage). */
(function () {
  "use strict";

  var FONT_KEY = "xxgk-font-size";
  var CARE_KEY = "xxgk-care";
  var SIZES = ["large", "medium", "small"];
  var root = document.documentElement;

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* storage refused: the choice lasts for this page only */
    }
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function setFont(size) {
    if (SIZES.indexOf(size) < 0) {
      size = "medium";
    }
    root.setAttribute("data-font", size);
    var radio = document.getElementById("font-" + size);
    if (radio) {
      radio.checked = true;
    }
  }

  function setCare(on) {
    root.setAttribute("data-care", on ? "on" : "off");
    var box = document.getElementById("care-mode");
    if (box) {
      box.checked = on;
    }
  }

  setFont(load(FONT_KEY));
  setCare(load(CARE_KEY) === "on");

  function wireTools() {
    setFont(root.getAttribute("data-font"));
    setCare(root.getAttribute("data-care") === "on");
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name === "font-size" && input.checked) {
        setFont(input.value);
        save(FONT_KEY, input.value);
      } else if (input.id === "care-mode") {
        setCare(input.checked);
        save(CARE_KEY, input.checked ? "on" : "off");
      }
    });
  }

  function wirePrint() {
    each(document.querySelectorAll(".page-controls"), function (bar) {
      bar.removeAttribute("hidden");
      bar.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("[data-action=print]") : null;
        if (button) {
          window.print();
        }
      });
    });
    // A printed page carries the day it was printed (its address is in the page already).
    window.addEventListener("beforeprint", function () {
      var now = new Date();
      each(document.querySelectorAll(".print-date"), function (slot) {
        slot.textContent = "打印日期：" + now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日";
      });
    });
  }

  // 跳转到第 N 页: the listing's pages are plain files, so the number becomes the page's address.
  function wireJumps() {
    each(document.querySelectorAll("form.pager-jump"), function (form) {
      form.removeAttribute("hidden");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var input = form.querySelector("input[name=page]");
        var last = parseInt(input.max, 10);
        var number = Math.min(Math.max(parseInt(input.value, 10) || 1, 1), last);
        var target = number === 1 ? form.getAttribute("data-first") :
          form.getAttribute("data-pattern").replace("{n}", String(number));
        window.location.href = target;
      });
    });
  }

  // Tables the build did not put in a scrolling box (those a template writes into a body) get one here, as
  // xxgk.render.scrolling_tables does for Markdown tables.
  function wrapTables() {
    each(document.querySelectorAll(".doc-body table"), function (table) {
      if (table.parentNode.closest(".table-scroll")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "table-scroll";
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      box.setAttribute("aria-label", "表格（可左右滚动）");
      var cue = document.createElement("p");
      cue.className = "table-scroll-cue";
      cue.setAttribute("aria-hidden", "true");
      cue.textContent = "表格较宽，可左右滑动查看";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      box.parentNode.insertBefore(cue, box.nextSibling);
    });
  }

  // A table wider than its box shows the cue that it scrolls sideways.
  function markScrolling() {
    each(document.querySelectorAll(".table-scroll"), function (box) {
      box.classList.toggle("is-scrolling", box.scrollWidth > box.clientWidth + 1);
    });
  }

  function ready() {
    wireTools();
    wirePrint();
    wireJumps();
    wrapTables();
    markScrolling();
    window.addEventListener("resize", markScrolling);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
