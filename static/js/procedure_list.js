// The case's procedure list: a « tout sélectionner sur la page » box in the table's header that
// ticks every row. Without JavaScript the form's « Tout sélectionner sur la page » choice does
// the same on the server (page_ids), so this box is only added when it can work.
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var boxes = form.querySelectorAll('tbody input[type="checkbox"][name="ids"]');
    var header = form.querySelector("thead th");
    if (!boxes.length || !header) return;
    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "select-page";
    all.setAttribute("aria-label", form.dataset.selectPageLabel || "Tout sélectionner sur la page");
    header.appendChild(all);
    function sync() {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
