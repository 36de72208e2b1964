// Dossier pages: live progress while a dossier renders (polls its JSON state, then reloads the
// page once it is done or failed), and the preset menu of the request form, which ticks the
// sections of the chosen preset. Served as a file, no inline script (CSP-friendly).
(function () {
  "use strict";

  var POLL_MS = 1500;

  function pollStatus(panel) {
    var url = panel.getAttribute("data-status-url");
    if (!url || panel.getAttribute("data-finished") === "1" || !window.fetch) {
      return;
    }
    function field(name) {
      return panel.querySelector('[data-field="' + name + '"]');
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (state) {
          if (state.finished) {
            window.location.reload();
            return;
          }
          var label = field("status_label");
          if (label) {
            label.textContent = state.status_label;
          }
          var text = field("progress_text");
          if (text) {
            text.textContent = state.progress + " %";
          }
          var bar = field("progress");
          if (bar) {
            bar.value = state.progress;
            bar.textContent = state.progress + " %";
          }
          window.setTimeout(tick, POLL_MS);
        })
        .catch(function () {
          window.setTimeout(tick, POLL_MS * 4);
        });
    }
    window.setTimeout(tick, POLL_MS);
  }

  function presetMenu(form) {
    var select = form.querySelector('select[name="preset"]');
    var presets;
    try {
      presets = JSON.parse(form.getAttribute("data-presets") || "{}");
    } catch (error) {
      return;
    }
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      var sections = presets[select.value];
      if (!sections) {
        return;
      }
      var boxes = form.querySelectorAll('input[name="sections"]');
      for (var i = 0; i < boxes.length; i++) {
        boxes[i].checked = sections.indexOf(boxes[i].value) !== -1;
      }
    });
  }

  // The estimate of the request form follows the sections ticked (pages per section and the
  // workers' speed come from the server; the text is translated there too).
  function estimate(form) {
    var panel = document.getElementById("dossier-estimate");
    var figures;
    try {
      figures = JSON.parse(panel ? panel.getAttribute("data-estimate") : "null");
    } catch (error) {
      return;
    }
    if (!figures) {
      return;
    }
    var target = panel.querySelector('[data-field="estimate"]');
    function update() {
      var boxes = form.querySelectorAll('input[name="sections"]:checked');
      var pages = 1;
      for (var i = 0; i < boxes.length; i++) {
        pages += figures.pages[boxes[i].value] || 0;
      }
      var minutes = Math.max(1, Math.ceil((5 + pages / figures.pages_per_second) / 60));
      target.textContent = panel
        .getAttribute("data-text")
        .replace("%(pages)s", pages.toLocaleString("fr-FR"))
        .replace("%(minutes)s", minutes);
    }
    form.addEventListener("change", update);
  }

  function init() {
    var panel = document.getElementById("dossier-status");
    if (panel) {
      pollStatus(panel);
    }
    var form = document.getElementById("dossier-request");
    if (form) {
      presetMenu(form);
      estimate(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
