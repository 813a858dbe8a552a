// vitals dashboard: charts from each canvas's data-chart (colours from the CSS variables, so dark mode follows),
// table toggles, sortable tables, table search, the nav menu on narrow screens, and refresh in place.
(function () {
  "use strict";
  var FALLBACK = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7f86"];
  var REFRESH_KEY = "vitals.refreshSeconds";
  var refreshTimer = null;
  var refreshing = null;

  function format(unit, value) {
    if (value === null || value === undefined) return "–";
    if (unit === "cents") return (value < 0 ? "−$" : "$") + Math.abs(Math.round(value)).toLocaleString();
    if (unit === "ratio" || unit === "percent") return value.toFixed(1) + "%";
    if (unit === "minutes") return value.toLocaleString(undefined, { maximumFractionDigits: 1 }) + " min";
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }

  function cssVar(name, fallback) {
    var value = window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return FALLBACK.map(function (colour, i) { return cssVar("--chart-" + (i + 1), colour); });
  }

  // -- charts --------------------------------------------------------------------------------------------
  function destroyCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    var colours = palette();
    window.Chart.defaults.color = cssVar("--muted", "#656d76");
    window.Chart.defaults.borderColor = cssVar("--line", "#d0d7de");
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      var stacked = spec.kind === "stacked";
      var partial = spec.partial || [];
      var axes = spec.axes || {};
      var datasets = spec.series.map(function (s, i) {
        var line = spec.kind === "line" || (stacked && i === spec.series.length - 1);
        // a threshold series (an SLO: its key starts with "slo") is a dashed line in the warning colour
        var threshold = line && s.key && s.key.indexOf("slo") === 0;
        // the period before the range (its key starts with "previous_") is a thin dotted line in the muted colour
        var previous = line && s.key && s.key.indexOf("previous_") === 0;
        var colour = threshold ? cssVar("--warn", "#bf8700") : previous ? cssVar("--muted", "#656d76") : colours[i % colours.length];
        return {
          label: s.label,
          data: s.values,
          type: line ? "line" : "bar",
          borderColor: colour,
          backgroundColor: colour,
          borderDash: threshold ? [6, 4] : previous ? [2, 3] : undefined,
          // a partial period (the running week or month) is drawn dashed
          segment: partial.length ? { borderDash: function (ctx) { return partial.indexOf(spec.labels[ctx.p1DataIndex]) >= 0 ? [4, 4] : undefined; } } : undefined,
          pointRadius: 0,
          borderWidth: line ? 2 : 0,
          stack: stacked && !line ? "movements" : undefined,
          spanGaps: true
        };
      });
      var links = spec.links || [];
      if (links.length) canvas.setAttribute("data-links", "true");
      new window.Chart(canvas, {
        type: spec.kind === "line" ? "line" : "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          // a period whose bars stand for orgs opens the list of those orgs
          onClick: function (event, elements) {
            var href = elements.length ? links[elements[0].index] : null;
            if (href) window.location.assign(href);
          },
          onHover: function (event, elements) {
            var href = elements.length ? links[elements[0].index] : null;
            canvas.style.cursor = href ? "pointer" : "";
          },
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { stacked: stacked, title: { display: !!axes.x, text: axes.x || "" } },
            y: {
              stacked: stacked,
              title: { display: !!axes.y, text: axes.y || "" },
              ticks: { callback: function (v) { return format(spec.unit, v); } }
            }
          },
          plugins: {
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + format(spec.unit, c.parsed.y); } } }
          }
        }
      });
    });
  }

  // -- tables --------------------------------------------------------------------------------------------
  function showTable(button, show) {
    var section = document.getElementById(button.getAttribute("data-toggle"));
    var table = section.querySelector(".chart-table");
    var box = section.querySelector(".canvas-box");
    table.hidden = !show;
    box.hidden = show;
    button.textContent = show ? "Chart" : "Table";
    button.setAttribute("aria-pressed", String(show));
  }

  function toggles(root) {
    root.querySelectorAll("button[data-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        showTable(button, button.getAttribute("aria-pressed") !== "true");
      });
    });
  }

  function sortKey(cell) {
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.getAttribute("data-value");
  }

  function sortBy(table, index, asc) {
    table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
    table.tHead.rows[0].cells[index].setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      // a cell's data-sort (e.g. a health band's severity) orders it when present, else its value
      var x = sortKey(a.cells[index]), y = sortKey(b.cells[index]);
      var nx = parseFloat(x), ny = parseFloat(y);
      var both = !isNaN(nx) && !isNaN(ny) && String(nx) !== "NaN";
      var cmp = both ? nx - ny : String(x).localeCompare(String(y));
      return asc ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function sortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th").forEach(function (th, index) {
        th.tabIndex = 0;
        th.addEventListener("click", function () {
          sortBy(table, index, th.getAttribute("aria-sort") !== "ascending");
        });
      });
    });
  }

  function searches(root) {
    // a search box over a table: rows whose text has every word typed stay visible
    root.querySelectorAll("input[data-filter-table]").forEach(function (input) {
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

  function wire(root) {
    drawCharts(root);
    toggles(root);
    sortable(root);
    searches(root);
  }

  // -- refresh in place ----------------------------------------------------------------------------------
  function capture(main) {
    var state = { x: window.scrollX, y: window.scrollY, searches: [], sorts: {}, tables: {}, boxes: [], focus: null };
    main.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      state.searches.push([input.getAttribute("data-filter-table"), input.value]);
    });
    main.querySelectorAll("table.sortable").forEach(function (table) {
      var th = table.querySelector("th[aria-sort]");
      if (th) state.sorts[table.getAttribute("data-table")] = [th.cellIndex, th.getAttribute("aria-sort") === "ascending"];
    });
    main.querySelectorAll("button[data-toggle]").forEach(function (button) {
      state.tables[button.getAttribute("data-toggle")] = button.getAttribute("aria-pressed") === "true";
    });
    main.querySelectorAll(".table-box, .heat-box").forEach(function (box) { state.boxes.push(box.scrollLeft); });
    var active = document.activeElement;
    if (active && active.id && main.contains(active)) {
      state.focus = [active.id, active.selectionStart, active.selectionEnd];
    }
    return state;
  }

  function restore(main, state) {
    state.searches.forEach(function (pair) {
      var input = main.querySelector('input[data-filter-table="' + pair[0] + '"]');
      if (input && pair[1]) {
        input.value = pair[1];
        input.dispatchEvent(new Event("input"));
      }
    });
    Object.keys(state.sorts).forEach(function (id) {
      var table = main.querySelector('table.sortable[data-table="' + id + '"]');
      if (table && table.tHead && table.tHead.rows[0].cells[state.sorts[id][0]]) sortBy(table, state.sorts[id][0], state.sorts[id][1]);
    });
    Object.keys(state.tables).forEach(function (id) {
      var button = main.querySelector('button[data-toggle="' + id + '"]');
      if (button && state.tables[id]) showTable(button, true);
    });
    main.querySelectorAll(".table-box, .heat-box").forEach(function (box, i) {
      if (state.boxes[i]) box.scrollLeft = state.boxes[i];
    });
    if (state.focus) {
      var again = document.getElementById(state.focus[0]);
      if (again) {
        again.focus({ preventScroll: true });
        try { again.setSelectionRange(state.focus[1], state.focus[2]); } catch (e) { /* not a text field */ }
      }
    }
    window.scrollTo(state.x, state.y);
  }

  function swapText(fresh, selector) {
    var now = document.querySelector(selector), next = fresh.querySelector(selector);
    if (now && next) {
      now.textContent = next.textContent;
      if (next.hasAttribute("datetime")) now.setAttribute("datetime", next.getAttribute("datetime"));
    }
  }

  function say(text) {
    var state = document.querySelector(".refresh-state");
    if (state) state.textContent = text;
  }

  // Fetch this page again and swap its content in place, keeping searches, sort orders, table toggles and
  // the scroll position. Resolves once the page shows the new data (or the fetch failed).
  function refreshNow() {
    if (refreshing) return refreshing;
    var main = document.querySelector("main");
    refreshing = window.fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Vitals-Refresh": "1" }
    }).then(function (response) {
      if (new URL(response.url).pathname === "/login") {
        window.location.reload();  // the session ended: the login page takes over
        return;
      }
      if (!response.ok) {
        say("refresh failed (HTTP " + response.status + ")");
        return;
      }
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.querySelector("main");
        if (!next) return;
        var state = capture(main);
        destroyCharts(main);
        main.innerHTML = next.innerHTML;
        document.querySelectorAll("body > p.notice").forEach(function (p) { p.remove(); });
        fresh.querySelectorAll("body > p.notice").forEach(function (p) {
          document.body.insertBefore(document.importNode(p, true), main);
        });
        swapText(fresh, "#updated");
        swapText(fresh, "#through");
        wire(main);
        restore(main, state);
        say("");
      });
    }).catch(function () {
      say("refresh failed: the server did not answer");
    }).then(function () {
      refreshing = null;
    });
    return refreshing;
  }

  function schedule(seconds) {
    if (refreshTimer) window.clearInterval(refreshTimer);
    refreshTimer = null;
    if (seconds > 0) {
      refreshTimer = window.setInterval(function () {
        if (!document.hidden) refreshNow();
      }, seconds * 1000);
    }
  }

  function refreshPicker() {
    var picker = document.getElementById("refresh-every");
    if (!picker || !document.querySelector("form.filters")) return;
    var stored = null;
    try { stored = window.localStorage.getItem(REFRESH_KEY); } catch (e) { stored = null; }
    var seconds = stored !== null ? stored : (document.body.getAttribute("data-refresh") || "0");
    if (!picker.querySelector('option[value="' + seconds + '"]')) {
      var option = document.createElement("option");
      option.value = seconds;
      option.textContent = "every " + seconds + " s";
      picker.appendChild(option);
    }
    picker.value = seconds;
    schedule(parseInt(seconds, 10) || 0);
    picker.addEventListener("change", function () {
      try { window.localStorage.setItem(REFRESH_KEY, picker.value); } catch (e) { /* private mode */ }
      schedule(parseInt(picker.value, 10) || 0);
    });
  }

  // -- layout --------------------------------------------------------------------------------------------
  function menu() {
    var button = document.querySelector("header.top button.menu");
    if (!button) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      document.querySelector("header.top").classList.toggle("open", open);
    });
  }

  function followColourScheme() {
    if (!window.matchMedia) return;
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    var redraw = function () {
      var main = document.querySelector("main");
      if (!main) return;
      destroyCharts(main);
      drawCharts(main);
    };
    if (query.addEventListener) query.addEventListener("change", redraw);
  }

  window.vitalsDashboard = { refresh: refreshNow };

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    menu();
    refreshPicker();
    followColourScheme();
  });
})();
