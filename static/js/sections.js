// Lists of the case page loaded on demand (cases/sections.py). A container
// [data-section-url] holds a plain link to the same list as a full page, so everything works
// without JavaScript; with it, the list (and its pages and filters) is fetched into the container.
(function () {
  "use strict";

  function load(container, url) {
    container.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Section": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        container.innerHTML = html;
        container.removeAttribute("aria-busy");
      })
      .catch(function () {
        // Leave the plain link: it opens the same list as a full page.
        container.removeAttribute("aria-busy");
        window.location.href = url;
      });
  }

  function bind(container) {
    container.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-section-link]");
      if (!link || !container.contains(link)) { return; }
      event.preventDefault();
      load(container, link.href);
    });
    container.addEventListener("submit", function (event) {
      var form = event.target.closest("form[data-section-form]");
      if (!form) { return; }
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form)).toString();
      load(container, form.action + (query ? "?" + query : ""));
    });
    if (container.hasAttribute("data-section-autoload")) {
      load(container, container.getAttribute("data-section-url"));
    }
  }

  document.querySelectorAll("[data-section-url]").forEach(bind);
})();
