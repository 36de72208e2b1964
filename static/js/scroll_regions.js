// On a narrow screen a wide table scrolls inside itself (site.css): a keyboard user must be able
// to reach it to scroll it (WCAG 2.1.1), so a table that overflows takes a tab stop, and gives it
// back when it fits again. Tables loaded later (case page sections) are seen by the observer.
(function () {
  "use strict";

  function update() {
    document.querySelectorAll("main table, main .table-scroll").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.dataset.scrollRegion = "1";
      } else if (!scrolls && region.dataset.scrollRegion) {
        region.removeAttribute("tabindex");
        delete region.dataset.scrollRegion;
      }
    });
  }

  function init() {
    update();
    window.addEventListener("resize", update);
    var main = document.querySelector("main");
    if (main && window.MutationObserver) {
      new MutationObserver(update).observe(main, { childList: true, subtree: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
