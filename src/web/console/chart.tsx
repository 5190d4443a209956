import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useId, useRef } from "react";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
}

/** Colours for up to four series, each 3:1 or more against white (WCAG non-text contrast). */
const COLOURS = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a"];

/**
 * A bar chart drawn by Chart.js on a canvas, with the same numbers as a table right under it:
 * the canvas is an image with a summary for screen readers, the table is what they (and anyone
 * who would rather read) use. `stacked` stacks the series on one bar per label.
 */
export function BarChart(props: {
  readonly title: string;
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly stacked?: boolean;
  /** The header of the table's first column. */
  readonly labelHeader: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const id = useId();
  const { title, labels, series, stacked = false, labelHeader } = props;

  useEffect(() => {
    if (canvas.current === null) return;
    const chart = new Chart(canvas.current, {
      type: "bar",
      data: {
        labels: [...labels],
        datasets: series.map((s, i) => ({
          label: s.label,
          data: [...s.values],
          backgroundColor: COLOURS[i % COLOURS.length] ?? "#1f4e79",
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: {
          x: { stacked },
          y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    return () => chart.destroy();
  }, [labels, series, stacked]);

  const total = series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div className="chart-canvas">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`${title}: a bar chart of ${total} in all; the table below gives every number`}
        />
      </div>
      <table className="chart-table">
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, row) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.label}>{s.values[row] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
