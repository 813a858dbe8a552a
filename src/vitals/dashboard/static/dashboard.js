// vitals dashboard: charts from each canvas's data-chart, table toggles, sortable tables, auto-refresh.
(function () {
  "use strict";
  var COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7f86"];

  function format(unit, value) {
    if (value === null || value === undefined) return "–";
    if (unit === "cents") return (value < 0 ? "−$" : "$") + Math.abs(Math.round(value)).toLocaleString();
    if (unit === "ratio" || unit === "percent") return value.toFixed(1) + "%";
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      var stacked = spec.kind === "stacked";
      var datasets = spec.series.map(function (s, i) {
        var line = spec.kind === "line" || (stacked && i === spec.series.length - 1);
        return {
          label: s.label,
          data: s.values,
          type: line ? "line" : "bar",
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length],
          pointRadius: 0,
          borderWidth: line ? 2 : 0,
          stack: stacked && !line ? "movements" : undefined,
          spanGaps: true
        };
      });
      new window.Chart(canvas, {
        type: spec.kind === "line" ? "line" : "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { stacked: stacked },
            y: { stacked: stacked, ticks: { callback: function (v) { return format(spec.unit, v); } } }
          },
          plugins: {
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + format(spec.unit, c.parsed.y); } } }
          }
        }
      });
    });
  }

  function toggles() {
    document.querySelectorAll("button[data-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var section = document.getElementById(button.getAttribute("data-toggle"));
        var table = section.querySelector(".chart-table");
        var box = section.querySelector(".canvas-box");
        var showTable = table.hidden;
        table.hidden = !showTable;
        box.hidden = showTable;
        button.textContent = showTable ? "Chart" : "Table";
        button.setAttribute("aria-pressed", String(showTable));
      });
    });
  }

  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th").forEach(function (th, index) {
        th.tabIndex = 0;
        th.addEventListener("click", function () {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index].getAttribute("data-value"), y = b.cells[index].getAttribute("data-value");
            var nx = parseFloat(x), ny = parseFloat(y);
            var both = !isNaN(nx) && !isNaN(ny) && String(nx) !== "NaN";
            var cmp = both ? nx - ny : String(x).localeCompare(String(y));
            return asc ? cmp : -cmp;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  function filters() {
    // a search box over a table: rows whose text has every word typed stay visible
    document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      var id = input.getAttribute("data-filter-table");
      var table = document.querySelector('table[data-table="' + id + '"]');
      var count = document.querySelector('[data-filter-count="' + id + '"]');
      if (!table) return;
      function apply() {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          var text = row.textContent.toLowerCase();
          var keep = words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !keep;
          if (keep) shown += 1;
        });
        if (count) count.textContent = shown + " of " + count.getAttribute("data-total") + " " + (count.getAttribute("data-noun") || "rows");
      }
      input.addEventListener("input", apply);
      apply();
    });
  }

  function refresh() {
    var seconds = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
    if (seconds > 0 && document.querySelector("form.filters")) {
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    toggles();
    sortable();
    filters();
    refresh();
  });
})();
