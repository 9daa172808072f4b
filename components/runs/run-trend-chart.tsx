"use client";

import { useId } from "react";
import { formatCount, formatDateTime, formatDuration } from "@/components/ui/format";
import type { Run } from "@/lib/schemas/runs";

const WIDTH = 600;
const HEIGHT = 140;
const GAP = 2;
const MIN_SLOTS = 30;

type Series = { title: string; value: (run: Run) => number | null; format: (n: number) => string };

const SERIES: Series[] = [
  { title: "Duration", value: (run) => run.durationMs, format: (n) => formatDuration(n) },
  { title: "Rows loaded", value: (run) => (run.status === "success" ? run.rowsLoaded : null), format: (n) => formatCount(n) },
];

/** One bar per run, oldest on the left, coloured by status; each bar names its run in a tooltip. */
function BarChart({ runs, series }: { runs: Run[]; series: Series }) {
  const values = runs.map((run) => series.value(run));
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  // At least MIN_SLOTS slots, newest on the right, so a few runs do not make a wall of colour.
  const slot = WIDTH / Math.max(runs.length, MIN_SLOTS);
  const offset = WIDTH - runs.length * slot;
  const known = values.filter((v): v is number => v !== null);
  const summary = known.length
    ? `${series.title} of the last ${runs.length} runs: from ${series.format(Math.min(...known))} to ${series.format(Math.max(...known))}, latest ${series.format(known.at(-1)!)}`
    : `${series.title}: no finished runs yet`;
  return (
    <figure className="trend">
      <figcaption>
        {series.title} <span className="muted small">(max {series.format(max)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="trend-axis" />
        {runs.map((run, i) => {
          const value = values[i] ?? null;
          const height = value === null ? 3 : Math.max(2, (value / max) * (HEIGHT - 4));
          return (
            <rect key={run.id} x={offset + i * slot + GAP / 2} width={Math.max(1, slot - GAP)} y={HEIGHT - height} height={height} className={`trend-bar trend-${run.status}${value === null ? " trend-none" : ""}`}>
              <title>{`${formatDateTime(run.createdAt)}: ${run.status}${value === null ? "" : `, ${series.format(value)}`}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

/** Durations and rows loaded of a job's recent runs, with the same numbers as a table for screen readers and keyboards. */
export function RunTrendChart({ runs }: { runs: Run[] }) {
  const tableId = useId();
  const ordered = [...runs].reverse();
  return (
    <div className="trend-charts">
      <div className="trend-grid">
        {SERIES.map((series) => (
          <BarChart key={series.title} runs={ordered} series={series} />
        ))}
      </div>
      <p className="trend-legend small" aria-hidden="true">
        <span className="legend legend-success">success</span> <span className="legend legend-failed">failed</span>{" "}
        <span className="legend legend-cancelled">cancelled</span> <span className="legend legend-running">running or pending</span>
      </p>
      <details>
        <summary>Show these runs as a table</summary>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Recent runs as a table, scrollable">
          <table className="table compact" id={tableId}>
            <caption className="visually-hidden">Recent runs, oldest first: duration and rows loaded</caption>
            <thead>
              <tr>
                <th scope="col">Run started</th>
                <th scope="col">Status</th>
                <th scope="col" className="numeric">
                  Duration
                </th>
                <th scope="col" className="numeric">
                  Rows loaded
                </th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((run) => (
                <tr key={run.id}>
                  <td>{formatDateTime(run.startedAt ?? run.createdAt)}</td>
                  <td>{run.status}</td>
                  <td className="numeric">{formatDuration(run.durationMs)}</td>
                  <td className="numeric">{formatCount(run.rowsLoaded)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
