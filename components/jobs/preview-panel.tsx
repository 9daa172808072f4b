"use client";

import { useId, useState } from "react";
import { useWatch } from "react-hook-form";
import { errorMessage } from "@/components/api-client";
import { CellValue } from "@/components/results/cell-value";
import { formatCount } from "@/components/ui/format";
import type { TableView } from "@/lib/schemas/preview";
import { opLabel } from "./step-ops";
import type { JobFormInput } from "./job-form-values";
import { usePreviewState, type StageView } from "./preview-context";

/** A stage's one-line summary, for the stage list and each step's form. */
export function stageSummary(view: StageView): string {
  switch (view.status) {
    case "ok":
      return `${formatCount(view.table.rowCount)} ${view.table.rowCount === 1 ? "row" : "rows"}, ${view.table.columns.length} ${view.table.columns.length === 1 ? "column" : "columns"}`;
    case "error":
      return `Failed: ${view.message}`;
    case "skipped":
      return "Not run: an earlier stage failed or gave no rows.";
    case "waiting":
      return view.reason;
  }
}

/**
 * The live preview beside the builder: every stage (source, then each step) with its row and
 * column counts, the failing one marked, and for the chosen stage its columns (type, nulls,
 * distinct values) and first rows.
 */
export function PreviewPanel() {
  const state = usePreviewState();
  const ops = (useWatch<JobFormInput>({ name: "transform" }) ?? []) as { op: string }[];
  const [chosen, setChosen] = useState<number | null>(null);
  const headingId = useId();
  if (!state) return null;

  const stages = [-1, ...ops.map((_, i) => i)];
  const failing = stages.find((i) => state.stage(i).status === "error");
  const lastOk = [...stages].reverse().find((i) => state.stage(i).status === "ok");
  // Unless the reader picked a stage, show the failing one, else the last that has rows to show.
  const selected = chosen !== null && chosen < ops.length ? chosen : (failing ?? lastOk ?? -1);
  const view = state.stage(selected);
  const name = (i: number) => (i === -1 ? "Source" : `Step ${i + 1}: ${opLabel(ops[i]?.op ?? "")}`);

  return (
    <section className="preview-panel card" aria-labelledby={headingId} aria-busy={state.loading}>
      <div className="preview-heading">
        <h2 id={headingId}>Preview</h2>
        <span className="muted small" aria-live="polite">
          {state.loading ? "Updating…" : state.preview ? `Sample of ${formatCount(state.preview.sampleSize)} records` : ""}
        </span>
      </div>
      {state.plan.kind === "incomplete" ? <p className="muted">{state.plan.reason}</p> : null}
      {state.requestError ? (
        <p className="alert alert-error" role="alert">
          The preview failed: {errorMessage(state.requestError)}
        </p>
      ) : null}
      {state.plan.kind === "ready" ? (
        <>
          <ol className="preview-stages" aria-label="Stages">
            {stages.map((i) => {
              const stage = state.stage(i);
              return (
                <li key={i} className={`preview-stage preview-${stage.status}${i === selected ? " preview-selected" : ""}`}>
                  <button type="button" aria-pressed={i === selected} onClick={() => setChosen(i)}>
                    <span className="preview-stage-name">{name(i)}</span>
                    <span className="preview-stage-summary">{stageSummary(stage)}</span>
                  </button>
                </li>
              );
            })}
          </ol>
          <div aria-live="polite">{view.status === "ok" ? <StageTables name={name(selected)} table={view.table} /> : null}</div>
        </>
      ) : null}
    </section>
  );
}

function StageTables({ name, table }: { name: string; table: TableView }) {
  return (
    <div className="preview-tables">
      <h3>{name}: columns</h3>
      {table.columns.length === 0 ? (
        <p className="muted">No columns.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`Columns after ${name}, scrollable`}>
          <table className="table compact">
            <caption className="visually-hidden">Columns after {name}: type, null count and distinct values in the sample</caption>
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Type</th>
                <th scope="col" className="numeric">
                  Nulls
                </th>
                <th scope="col" className="numeric">
                  Distinct
                </th>
              </tr>
            </thead>
            <tbody>
              {table.columns.map((column) => (
                <tr key={column.name}>
                  <td>
                    <code>{column.name}</code>
                  </td>
                  <td>{column.type ?? "null"}</td>
                  <td className="numeric">{formatCount(column.nullCount)}</td>
                  <td className="numeric">{formatCount(column.distinctCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>{name}: first rows</h3>
      {table.rows.length === 0 ? (
        <p className="muted">No rows.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`First rows after ${name}, scrollable`}>
          <table className="table compact results">
            <caption className="visually-hidden">First rows after {name}</caption>
            <thead>
              <tr>
                {table.columns.map((column) => (
                  <th key={column.name} scope="col">
                    {column.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, index) => (
                <tr key={index}>
                  {table.columns.map((column) => (
                    <td key={column.name}>
                      <CellValue value={row[column.name]} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
