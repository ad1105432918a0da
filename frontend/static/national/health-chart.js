// Council health over time: held meetings against the cadence's due ones, per quarter.
// Progressive enhancement: the table next to the canvas holds the same figures (and is what
// screen readers use); without JavaScript the table alone is shown.
const data = document.getElementById("health-data");
const canvas = document.getElementById("health-chart");
if (data && canvas && window.Chart) {
  const rows = JSON.parse(data.textContent);
  canvas.hidden = false;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((row) => row.quarter),
      datasets: [
        { label: canvas.dataset.heldLabel, data: rows.map((row) => row.held), backgroundColor: "#154273" },
        { label: canvas.dataset.dueLabel, data: rows.map((row) => row.due), backgroundColor: "#ffbf47" },
      ],
    },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
