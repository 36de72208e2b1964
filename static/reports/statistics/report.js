/* Polls the report's state while it renders, then shows the download link. */
(function () {
  "use strict";
  var section = document.getElementById("report-status");
  if (!section || section.getAttribute("data-finished") === "1") { return; }
  var url = section.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (response) { return response.json(); }).then(function (data) {
      section.querySelector("[data-field=status_label]").textContent = data.status_label;
      section.querySelector("[data-field=error]").textContent = data.error || "";
      if (data.download_url) { section.querySelector("[data-field=download]").hidden = false; }
      if (!data.finished) { setTimeout(poll, 1500); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
}());
