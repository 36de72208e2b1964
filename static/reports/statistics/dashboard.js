/* Dashboard charts (Apache ECharts, served from static/vendor/echarts). Data comes from the
   <script type="application/json" id="statistics-data"> block: no inline script (CSP). Each bar or
   point opens the list of procedures behind it; each chart downloads as PNG or SVG. */
(function () {
  "use strict";
  var source = document.getElementById("statistics-data");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent).charts;
  var instances = {};
  var options = {};
  var numberFormat = new Intl.NumberFormat("fr-FR");

  function formatNumber(v) { return numberFormat.format(v); }

  function option(name, kind, items, width) {
    // On a phone the labels get less room, so that the bars stay visible (390 px).
    var labelWidth = width && width < 500 ? 100 : 180;
    var labels = items.map(function (item) { return item.label; });
    var values = items.map(function (item) { return item.procedures; });
    var base = {
      animation: false,
      textStyle: { fontFamily: "sans-serif" },
      tooltip: { trigger: kind === "line" ? "axis" : "item", valueFormatter: formatNumber },
      grid: { left: kind === "line" ? 50 : labelWidth + 10, right: 30, top: kind === "line" ? 32 : 20, bottom: kind === "line" ? 40 : 20, containLabel: false }
    };
    if (kind === "line") {
      base.xAxis = { type: "category", data: labels, axisLabel: { hideOverlap: true } };
      base.yAxis = { type: "value", name: "procédures", minInterval: 1, axisLabel: { formatter: formatNumber } };
      base.series = [{ type: "line", name: "Procédures", data: values, showSymbol: true, symbolSize: 6 }];
    } else {
      base.yAxis = { type: "category", data: labels, inverse: true, axisLabel: { width: labelWidth, overflow: "truncate" } };
      base.xAxis = { type: "value", minInterval: 1, axisLabel: { formatter: formatNumber, hideOverlap: true } };
      base.series = [{ type: "bar", name: "Procédures", data: values, label: { show: true, position: "right", formatter: function (p) { return formatNumber(p.value); } } }];
    }
    base.color = ["#2f5d8a"];
    return base;
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var name = element.getAttribute("data-chart");
    var kind = element.getAttribute("data-kind");
    var items = charts[name] || [];
    if (kind === "bar") { element.style.height = Math.max(120, 26 * items.length + 40) + "px"; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    options[name] = option(name, kind, items, element.clientWidth);
    chart.setOption(options[name]);
    chart.on("click", function (params) {
      var item = items[params.dataIndex];
      if (item && item.url) { window.location.href = item.url; }
    });
    instances[name] = chart;
  });
  window.statisticsCharts = instances;  // for the browser test and the console

  function save(blob, filename) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  document.querySelectorAll("[data-download]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-target");
      var chart = instances[name];
      if (!chart) { return; }
      if (button.getAttribute("data-download") === "png") {
        var url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        fetch(url).then(function (response) { return response.blob(); }).then(function (blob) {
          save(blob, "statistiques-" + name + ".png");
        });
      } else {
        // The same option drawn by ECharts' SVG renderer, off screen, at the on-screen size.
        var svgChart = window.echarts.init(null, null, {
          renderer: "svg", ssr: true, width: chart.getWidth(), height: chart.getHeight()
        });
        svgChart.setOption(options[name]);
        var svg = svgChart.renderToSVGString();
        svgChart.dispose();
        save(new Blob([svg], { type: "image/svg+xml" }), "statistiques-" + name + ".svg");
      }
    });
  });

  window.addEventListener("resize", function () {
    Object.keys(instances).forEach(function (name) { instances[name].resize(); });
  });
  window.addEventListener("beforeprint", function () {
    Object.keys(instances).forEach(function (name) { instances[name].resize(); });
  });

  // Sortable table: click a column header; numbers sort by their data-value.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (header, index) {
      header.tabIndex = 0;
      header.classList.add("sort-header");
      function sort() {
        var numeric = header.getAttribute("data-sort") === "number";
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[data-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index], y = b.cells[index];
          var left = numeric ? parseFloat(x.getAttribute("data-value")) : x.textContent.trim();
          var right = numeric ? parseFloat(y.getAttribute("data-value")) : y.textContent.trim();
          if (numeric) { left = isNaN(left) ? -1 : left; right = isNaN(right) ? -1 : right; }
          var order = numeric ? left - right : left.localeCompare(right, "fr");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
    });
  });
}());
