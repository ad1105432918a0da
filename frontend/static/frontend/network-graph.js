// Draws the network map with cytoscape.js from the page's json_script block (no inline script:
// CSP). Redrawn after htmx swaps the data in (filters). The table beside it is the accessible view.
(function () {
  "use strict";
  var colours = {
    neighbourhood: "#154273", community: "#39870c", key_figure: "#8f8f8f",
    ally: "#ca005d", police: "#01689b"
  };
  function draw() {
    var holder = document.getElementById("network-graph");
    var data = document.getElementById("network-elements");
    if (!holder || !data || typeof window.cytoscape !== "function") return;
    var graph = JSON.parse(data.textContent);
    var elements = graph.nodes.map(function (n) { return { data: n, classes: n.kind + (n.gap ? " gap" : "") + (n.stale ? " stale" : "") }; })
      .concat(graph.edges.map(function (e, i) { return { data: { id: "e" + i, source: e.source, target: e.target } }; }));
    var cy = window.cytoscape({
      container: holder,
      elements: elements,
      layout: { name: "cose", animate: false, randomize: false },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 9, "background-color": function (n) { return colours[n.data("kind")] || "#555"; }, color: "#1a1a1a", "text-valign": "bottom" } },
        { selector: "node.neighbourhood", style: { shape: "round-rectangle", width: 34, height: 22 } },
        { selector: "node.community", style: { shape: "diamond" } },
        { selector: "node.gap", style: { "border-width": 4, "border-color": "#d52b1e", "border-style": "dashed" } },
        { selector: "node.stale", style: { opacity: 0.6 } },
        { selector: "edge", style: { width: 1, "line-color": "#b4b4b4" } }
      ]
    });
    holder.dataset.rendered = String(cy.nodes().length);
    window.agoraNetworkGraph = cy;
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
