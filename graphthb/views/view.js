/* graphthb network view: draws the graph data of this page with vis-network.
 *
 * Tooltips are DOM nodes whose text is set with textContent, never HTML: the
 * strings come from ads written by the people under investigation. The layout
 * settles once and physics is then switched off, so the picture stays still.
 * window.graphthbView exposes the network for tests and the benchmark.
 */
(function () {
  "use strict";

  var payload = JSON.parse(document.getElementById("graph-data").textContent);
  var view = { ready: false, readyAt: null, network: null, nodes: null, edges: null };
  window.graphthbView = view;
  var status = document.getElementById("status");

  function add(parent, tag, cls, text) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = text === null || text === undefined ? "" : String(text);
    parent.appendChild(el);
    return el;
  }

  // rows: [label, value]; label "#" is a heading line, "-" a separator.
  function tooltip(rows) {
    var box = document.createElement("div");
    box.className = "tip";
    rows.forEach(function (row) {
      if (row[0] === "#") {
        add(box, "div", "head", row[1]);
      } else if (row[0] === "-") {
        add(box, "div", "sep", "");
      } else {
        add(box, "div", "k", row[0]);
        add(box, "div", "v", row[1]);
      }
    });
    return box;
  }

  function withTooltips(items) {
    items.forEach(function (item) {
      if (item.tip) {
        item.title = tooltip(item.tip);
        delete item.tip;
      }
    });
    return items;
  }

  view.nodes = new vis.DataSet(withTooltips(payload.nodes));
  view.edges = new vis.DataSet(withTooltips(payload.edges));
  var summary = view.nodes.length + " nodes, " + view.edges.length + " links";

  function ready(text) {
    if (view.ready) return;
    view.ready = true;
    view.readyAt = performance.now();
    document.body.setAttribute("data-state", "ready");
    status.textContent = text;
  }

  // Handlers go on before the data, so no layout event can be missed.
  var network = new vis.Network(document.getElementById("network"), {}, payload.options);
  view.network = network;
  if (payload.physics && view.nodes.length > 0) {
    network.on("stabilizationProgress", function (p) {
      status.textContent = "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      ready(summary + ". Layout settled; drag nodes to rearrange.");
    });
  } else {
    network.once("afterDrawing", function () {
      ready(view.nodes.length ? summary + "." : "Nothing to draw.");
    });
  }
  network.setData({ nodes: view.nodes, edges: view.edges });
  if (!payload.physics || view.nodes.length === 0) network.redraw();

  // Filter by kind: a ticked box shows the kind, an unticked one hides it (and its links).
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".kind-filter"));
  function applyFilter() {
    var hidden = {};
    boxes.forEach(function (b) {
      if (!b.checked) hidden[b.value] = true;
    });
    view.nodes.update(
      view.nodes.get({ fields: ["id", "kind"] }).map(function (n) {
        return { id: n.id, hidden: hidden[n.kind] === true };
      })
    );
  }
  boxes.forEach(function (b) {
    b.addEventListener("change", applyFilter);
  });

  // Search: exact key first (any case), else the first key or label containing the text.
  var input = document.getElementById("search-input");
  var result = document.getElementById("search-result");
  var list = document.getElementById("search-keys");
  var all = view.nodes.get({ fields: ["id", "kind", "key", "label"] });
  all.slice(0, 5000).forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.key;
    list.appendChild(option);
  });
  document.getElementById("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value.trim().toLowerCase();
    if (!q) return;
    var hit = null;
    for (var i = 0; i < all.length && !hit; i++) {
      if (String(all[i].key).toLowerCase() === q) hit = all[i];
    }
    for (var j = 0; j < all.length && !hit; j++) {
      var text = (String(all[j].key) + " " + String(all[j].label)).toLowerCase();
      if (text.indexOf(q) !== -1) hit = all[j];
    }
    if (!hit) {
      result.textContent = "No node matches that.";
      return;
    }
    boxes.forEach(function (b) {
      if (b.value === hit.kind && !b.checked) {
        b.checked = true;
        applyFilter();
      }
    });
    network.selectNodes([hit.id]);
    network.focus(hit.id, { scale: 1.3, animation: false });
    result.textContent = "Found " + hit.kind + " " + hit.key + ".";
  });
})();
