// Live eligibility panel of the filing form: reloads the explanation of the CPP articles (2-2 to
// 2-22) whenever the legal basis changes. Served as a file, no inline script (CSP-friendly).
(function () {
  "use strict";

  function init() {
    var panel = document.getElementById("eligibility-panel");
    if (!panel || !window.fetch) {
      return;
    }
    var select = document.getElementById(panel.getAttribute("data-select"));
    var url = panel.getAttribute("data-url");
    var latest = 0;

    function refresh() {
      var request = ++latest;
      var query = select ? "?legal_basis=" + encodeURIComponent(select.value) : "";
      panel.setAttribute("aria-busy", "true");
      fetch(url + query, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (request === latest) {
            panel.innerHTML = html;  // our own server-rendered, escaped template
          }
        })
        .catch(function () {
          panel.setAttribute("data-error", "1");
        })
        .then(function () {
          panel.removeAttribute("aria-busy");
        });
    }

    if (select) {
      select.addEventListener("change", refresh);
    }
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
