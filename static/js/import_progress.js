// Progress bar of an import job: polls the job's small JSON endpoint every second, updates the
// bar and the counts, and reloads the page once the job is finished so that the server-rendered
// report (rejected lines with their reasons) appears. Served as a file, no inline script.
(function () {
  "use strict";

  var POLL_MS = 1000;

  function init() {
    var section = document.getElementById("job-progress");
    if (!section || !window.fetch || section.getAttribute("data-finished") === "1") {
      return;
    }
    var url = section.getAttribute("data-url");
    var bar = document.getElementById("import-progress-bar");

    function show(state) {
      if (bar) {
        bar.value = state.progress;
        bar.textContent = state.progress + " %";
      }
      var fields = section.querySelectorAll("[data-field]");
      for (var i = 0; i < fields.length; i++) {
        var name = fields[i].getAttribute("data-field");
        if (Object.prototype.hasOwnProperty.call(state, name)) {
          fields[i].textContent = state[name] === null ? "" : String(state[name]);
        }
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (state) {
          show(state);
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () {
          section.setAttribute("data-error", "1");
          window.setTimeout(poll, POLL_MS * 5);
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
