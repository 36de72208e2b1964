// Moves focus to a form's error summary when the page comes back with errors, so a screen reader
// announces them and the keyboard starts there; each item links to its field. A file, not an
// inline script (strict CSP).
(function () {
  "use strict";

  function init() {
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
