import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { TransformStep } from "@/lib/schemas/jobs";
import { EtlError } from "@/lib/etl/errors";
import { normalizeRecords, recordsToColumns, type Columns } from "./normalize";

export type Batch = ColumnTable;

function tableFrom({ names, columns }: Columns): Batch {
  return aq.table(Object.fromEntries(names.map((name) => [name, columns.get(name)!])), names);
}

/** Turns a page of source records into a table; normalize steps at the front run on the records. */
export function recordsToBatch(records: readonly unknown[], steps: readonly TransformStep[]): { batch: Batch; consumed: number } {
  const first = steps[0];
  if (first?.op === "normalize") {
    return { batch: tableFrom(normalizeRecords(records, first)), consumed: 1 };
  }
  return { batch: tableFrom(recordsToColumns(records)), consumed: 0 };
}

function assertColumns(batch: Batch, step: TransformStep, index: number, wanted: string[]) {
  const available = batch.columnNames();
  const missing = wanted.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new EtlError(
      `Step ${index + 1} (${step.op}): unknown column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}; available: ${available.map((a) => `"${a}"`).join(", ") || "none"}.`,
      true,
    );
  }
}

/** Applies one step to a batch. Every step here is row-local, so batches can stream through. */
export function applyStep(batch: Batch, step: TransformStep, index: number): Batch {
  switch (step.op) {
    case "normalize":
      return tableFrom(normalizeRecords(batch.objects(), step));
    case "select":
      assertColumns(batch, step, index, step.columns);
      return batch.select(step.columns);
    case "drop":
      assertColumns(batch, step, index, step.columns);
      return batch.select(aq.not(step.columns));
    case "rename":
      assertColumns(batch, step, index, Object.keys(step.columns));
      return batch.rename(step.columns);
  }
}

export function applySteps(batch: Batch, steps: readonly TransformStep[], from = 0): Batch {
  let current = batch;
  for (let i = from; i < steps.length; i++) current = applyStep(current, steps[i]!, i);
  return current;
}
