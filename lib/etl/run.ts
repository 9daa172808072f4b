import "server-only";
import { db, type Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getRun, markRunFailed, markRunStarted, setRunProgress } from "@/lib/db/queries/runs";
import type { RunStage } from "@/lib/schemas/runs";
import { openDestination } from "./destinations";
import type { DestinationLoad } from "./destinations/types";
import { EtlError, inStage, RunCancelledError, StageError, userMessage } from "./errors";
import { runLogger } from "./run-log";
import { extract } from "./sources";
import { TransformPipeline } from "./transforms/pipeline";

export type RunOutcome =
  | { kind: "success"; rowsLoaded: number }
  | { kind: "cancelled" }
  | { kind: "failed"; stage: RunStage; message: string; permanent: boolean; final: boolean };

type Attempt = { attempt: number; maxAttempts: number; signal?: AbortSignal };

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Executes one attempt of a run: extract page by page, transform each page, load it into a
 * staging table, then swap the dataset in and mark the run `success` in one transaction.
 * Every failure is recorded on the run with its stage before the outcome is returned.
 */
export async function executeRun(runId: string, { attempt, maxAttempts, signal }: Attempt): Promise<RunOutcome> {
  const run = await getRun(db, runId);
  if (!run) return { kind: "failed", stage: "extract", message: "The run no longer exists.", permanent: true, final: true };
  if (!(await markRunStarted(db, runId, attempt))) return { kind: "cancelled" };

  const log = runLogger(runId);
  const definition = run.definition;
  await log("info", `Attempt ${attempt} of ${maxAttempts} started.`, { attempt });

  const abort = new AbortController();
  const stopOn = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal;
  const cancellation = watchCancellation(runId, abort);
  let load: DestinationLoad | undefined;
  let rowsRead = 0;
  try {
    const context = { jobId: run.jobId, workspaceId: run.workspaceId, runId, log };
    load = await inStage("load", () => openDestination(definition.destination, context));
    const source = extract(definition.source, { signal: stopOn, log, sampleOnly: false, workspaceId: run.workspaceId });
    const pipeline = new TransformPipeline(definition.transform, { maxBufferedRows: env.TRANSFORM_MAX_BUFFERED_ROWS });
    let lastProgress = Date.now();
    const reportProgress = async (stage: RunStage) => {
      if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = Date.now();
      await setRunProgress(db, runId, { rowsRead, rowsLoaded: load!.rowsWritten, stage });
    };
    while (true) {
      const next = await inStage("extract", () => source.next());
      if (next.done) break;
      cancellation.check();
      rowsRead += next.value.length;
      const batch = await inStage("transform", () => pipeline.push(next.value));
      if (batch) await inStage("load", () => load!.write(batch));
      await reportProgress(batch ? "load" : "extract");
    }
    const rest = await inStage("transform", () => pipeline.finish());
    if (rest) await inStage("load", () => load!.write(rest));
    cancellation.check();
    const rowsLoaded = load.rowsWritten;
    await inStage("load", () => load!.commit((tx) => markSucceeded(tx, runId, rowsRead, rowsLoaded)));
    await log("info", `Loaded ${rowsLoaded} rows into the dataset (${load.columnTypes.length} columns).`, {
      columns: load.columnTypes,
    });
    return { kind: "success", rowsLoaded };
  } catch (error) {
    await load?.abort().catch(() => undefined);
    if (error instanceof RunCancelledError || cancellation.cancelled) {
      await log("warn", "Run cancelled; the dataset was left unchanged.");
      return { kind: "cancelled" };
    }
    const stage = error instanceof StageError ? error.stage : "load";
    const permanent = error instanceof StageError ? error.permanent : error instanceof EtlError && error.permanent;
    const message = userMessage(error);
    const final = permanent || attempt >= maxAttempts;
    await markRunFailed(db, runId, { stage, message, final });
    await log("error", `${stage} failed: ${message}`, { stage, attempt });
    if (!final) await log("info", `Attempt ${attempt} of ${maxAttempts} failed; the run will be retried.`);
    // Our own errors are fully described in the run log; anything else needs its stack for operators.
    const cause = error instanceof StageError ? error.cause : error;
    if (!(cause instanceof EtlError)) console.error(`Run ${runId} failed in ${stage}`, cause);
    return { kind: "failed", stage, message, permanent, final };
  } finally {
    cancellation.stop();
  }
}

/** Marks the run successful inside the destination's commit; refuses if it was cancelled meanwhile. */
async function markSucceeded(tx: Sql, runId: string, rowsRead: number, rowsLoaded: number): Promise<void> {
  const [state] = await tx<{ status: string }[]>`SELECT status FROM runs WHERE id = ${runId} FOR UPDATE`;
  if (state?.status !== "running") throw new RunCancelledError();
  const progress = { rowsRead, rowsLoaded, stage: null };
  await tx`
    UPDATE runs SET status = 'success', finished_at = now(), rows_extracted = ${rowsRead}, rows_loaded = ${rowsLoaded},
      progress = ${JSON.stringify(progress)}::jsonb, error_stage = NULL, error_message = NULL
    WHERE id = ${runId}`;
}

/** Polls the run's status so a cancel from the API stops the work between batches. */
function watchCancellation(runId: string, abort: AbortController) {
  let cancelled = false;
  const timer = setInterval(async () => {
    try {
      const run = await getRun(db, runId);
      if (run?.status === "cancelled") {
        cancelled = true;
        abort.abort(new RunCancelledError());
      }
    } catch {
      // A failed poll is retried on the next tick; the commit re-checks the status anyway.
    }
  }, 1000);
  timer.unref();
  return {
    get cancelled() {
      return cancelled;
    },
    check() {
      if (cancelled) throw new RunCancelledError();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
