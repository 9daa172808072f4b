import "server-only";
import type { Source, TransformStep } from "@/lib/schemas/jobs";
import type { Preview, TableView } from "@/lib/schemas/preview";
import { logger } from "@/lib/logger";
import { EtlError, userMessage } from "./errors";
import type { LogLevel } from "./run-log";
import { extract } from "./sources";
import { pageRecords } from "./sources/page";
import { batchColumnType, columnValues, type Batch } from "./transforms/batch";
import { TransformPipeline } from "./transforms/pipeline";
import { TransformStepError } from "./transforms/step-error";

type PreviewInput = {
  source: Source;
  transform: readonly TransformStep[];
  sampleSize: number;
  rows: number;
  workspaceId: string;
  signal: AbortSignal;
};

const DISTINCT_SHOWN = 5;

/**
 * Runs a job's source on a sample and its steps on that sample, through the same `extract` and
 * TransformPipeline a run uses (the pipeline's observer shows each step's output), so preview
 * and run cannot disagree. Nothing is loaded and no run is recorded. Failures are part of the
 * answer: extraction errors, or the failing step with the outputs of the steps before it.
 */
export async function previewDefinition(input: PreviewInput): Promise<Preview> {
  const started = performance.now();
  const log: Preview["log"] = [];
  const skipped = (error: string | null = null) =>
    input.transform.map((step, index) => ({ index, op: step.op, status: "skipped" as const, durationMs: null, output: null, error }));

  let records: unknown[];
  try {
    records = await readSample(input, (level, message) => log.push({ level, message }));
  } catch (error) {
    return {
      sampleSize: 0,
      source: null,
      steps: skipped(),
      error: { stage: "extract", step: null, message: describe(error, input.signal) },
      log,
      durationMs: elapsed(started),
    };
  }

  const views = new Map<number, { view: TableView; durationMs: number }>();
  let failure: Preview["error"] = null;
  let last = performance.now();
  try {
    const pipeline = new TransformPipeline(input.transform, {
      maxBufferedRows: Math.max(records.length, 1000),
      observe: (step, batch) => {
        views.set(step, { view: tableView(batch, input.rows), durationMs: elapsed(last) });
        if (input.signal.aborted) throw new EtlError("The preview took too long and was stopped.");
        last = performance.now();
      },
    });
    if (records.length > 0) {
      pipeline.push(records);
      pipeline.finish();
    } else {
      views.set(-1, { view: { rowCount: 0, columns: [], rows: [] }, durationMs: 0 });
    }
  } catch (error) {
    const step = error instanceof TransformStepError ? error.index : null;
    failure = { stage: "transform", step, message: describe(error, input.signal) };
  }

  const failedAt = failure?.step ?? Number.POSITIVE_INFINITY;
  const steps = input.transform.map((step, index) => {
    const seen = views.get(index);
    if (index === failure?.step) return { index, op: step.op, status: "error" as const, durationMs: null, output: null, error: failure.message };
    if (index > failedAt || !seen) return { index, op: step.op, status: "skipped" as const, durationMs: null, output: null, error: null };
    return { index, op: step.op, status: "ok" as const, durationMs: seen.durationMs, output: seen.view, error: null };
  });
  return {
    sampleSize: records.length,
    source: views.get(-1)?.view ?? null,
    steps,
    error: failure,
    log,
    durationMs: elapsed(started),
  };
}

async function readSample(input: PreviewInput, log: (level: LogLevel, message: string) => void): Promise<unknown[]> {
  const records: unknown[] = [];
  const source = extract(input.source, {
    signal: input.signal,
    log: async (level, message) => log(level, message),
    sampleOnly: true,
    workspaceId: input.workspaceId,
  });
  for await (const page of source) {
    records.push(...pageRecords(page, input.sampleSize - records.length));
    if (records.length >= input.sampleSize) break;
  }
  return records;
}

/** What the user sees of a failure: our own messages as they are, anything else by its kind only. */
function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted && !(error instanceof EtlError)) return "The preview took too long and was stopped.";
  if (!(error instanceof EtlError)) logger.error({ err: error }, "preview failed");
  return userMessage(error);
}

/** Column profiles and the first rows of a table, as preview shows them. */
function tableView(batch: Batch, rows: number): TableView {
  const columns = batch.columnNames().map((name) => {
    const values = columnValues(batch, name);
    let nullCount = 0;
    const distinct = new Map<string, unknown>();
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        nullCount++;
        continue;
      }
      const key = typeof value === "object" ? JSON.stringify(value) : `${typeof value}:${String(value)}`;
      if (!distinct.has(key)) distinct.set(key, value);
    }
    return {
      name,
      type: batchColumnType(batch, name, values),
      nullCount,
      distinctCount: distinct.size,
      distinct: [...distinct.values()].slice(0, DISTINCT_SHOWN).map(jsonSafe),
    };
  });
  const shown = batch.objects({ limit: rows }) as Record<string, unknown>[];
  return {
    rowCount: batch.numRows(),
    columns,
    rows: shown.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, jsonSafe(value)]))),
  };
}

/** JSON has no bigint: 64-bit integers beyond 2^53 are shown as their digits. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return null;
  return value;
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
