import "server-only";
import { db, type Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getRun, markRunFailed, markRunStarted, setRunProgress } from "@/lib/db/queries/runs";
import type { RunStage } from "@/lib/schemas/runs";
import { openDestination } from "./destinations";
import type { DestinationLoad } from "./destinations/types";
import { openIncremental } from "./incremental";
import { EtlError, inStage, RunCancelledError, RunTimeLimitError, StageError, userMessage } from "./errors";
import { runLogger } from "./run-log";
import { extract } from "./sources";
import { TransformPipeline } from "./transforms/pipeline";

export type RunOutcome =
  | { kind: "success"; rowsLoaded: number }
  | { kind: "cancelled" }
  | { kind: "failed"; stage: RunStage; message: string; permanent: boolean; final: boolean };

type Attempt = {
  attempt: number;
  maxAttempts: number;
  signal?: AbortSignal;
  /** Fails the attempt once this much time has passed: I/O is aborted, and work stops at the next stage boundary. */
  timeLimitMs?: number;
};

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Executes one attempt of a run: extract page by page, transform each page, load it into a
 * staging table, then swap the dataset in and mark the run `success` in one transaction.
 * Every failure is recorded on the run with its stage before the outcome is returned.
 */
export async function executeRun(runId: string, { attempt, maxAttempts, signal, timeLimitMs }: Attempt): Promise<RunOutcome> {
  const run = await getRun(db, runId);
  if (!run) return { kind: "failed", stage: "extract", message: "The run no longer exists.", permanent: true, final: true };
  if (!(await markRunStarted(db, runId, attempt))) return { kind: "cancelled" };

  const log = runLogger(runId);
  const definition = run.definition;
  await log("info", `Attempt ${attempt} of ${maxAttempts} started.`, { attempt });

  const abort = new AbortController();
  const timeLimit = timeLimitMs ? AbortSignal.timeout(timeLimitMs) : undefined;
  const stopOn = AbortSignal.any([abort.signal, ...(signal ? [signal] : []), ...(timeLimit ? [timeLimit] : [])]);
  // A stage that outlasts the time limit fails in that stage, even when nothing in it was waiting on the signal.
  const timed = <T>(stage: RunStage, work: () => Promise<T> | T) =>
    inStage(stage, async () => {
      const result = await work();
      if (timeLimit?.aborted) throw new RunTimeLimitError(timeLimitMs!);
      return result;
    });
  const cancellation = watchCancellation(runId, abort);
  let load: DestinationLoad | undefined;
  // Ends the source early (failure, cancel): its generator's cleanup closes connections and files.
  let closeSource: (() => Promise<unknown>) | undefined;
  let rowsRead = 0;
  try {
    const context = { jobId: run.jobId, workspaceId: run.workspaceId, runId, log };
    load = await inStage("load", () => openDestination(definition.destination, context));
    const incremental = await inStage("extract", () => openIncremental(db, run.jobId, definition.source, log));
    const source = extract(definition.source, {
      signal: stopOn,
      log,
      sampleOnly: false,
      workspaceId: run.workspaceId,
      incremental: incremental?.tracker,
    });
    closeSource = () => source.return(undefined);
    const pipeline = await inStage(
      "transform",
      () => new TransformPipeline(definition.transform, { maxBufferedRows: env.TRANSFORM_MAX_BUFFERED_ROWS }),
    );
    let lastProgress = Date.now();
    const reportProgress = async (stage: RunStage) => {
      if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = Date.now();
      await setRunProgress(db, runId, { rowsRead, rowsLoaded: load!.rowsWritten, stage });
    };
    while (true) {
      const next = await timed("extract", () => source.next());
      if (next.done) break;
      cancellation.check();
      rowsRead += next.value.length;
      const batch = await timed("transform", () => pipeline.push(next.value));
      if (batch) await timed("load", () => load!.write(batch));
      await reportProgress(batch ? "load" : "extract");
      if (pipeline.done) {
        await inStage("extract", () => source.return(undefined));
        await log("info", `The limit step was reached after ${rowsRead} source rows; stopped reading the source.`);
        break;
      }
    }
    const rest = await timed("transform", () => pipeline.finish());
    if (rest) await timed("load", () => load!.write(rest));
    cancellation.check();
    const rowsLoaded = load.rowsWritten;
    await inStage("load", () =>
      load!.commit(async (tx) => {
        await markSucceeded(tx, runId, rowsRead, rowsLoaded);
        // The incremental position moves only together with the rows it covers.
        await incremental?.save(tx, runId);
      }),
    );
    await log("info", `Loaded ${rowsLoaded} rows into the dataset (${load.columnTypes.length} columns).`, {
      columns: load.columnTypes,
    });
    return { kind: "success", rowsLoaded };
  } catch (error) {
    await closeSource?.().catch(() => undefined);
    await load?.abort().catch(() => undefined);
    if (error instanceof RunCancelledError || cancellation.cancelled) {
      await log("warn", "Run cancelled; the dataset was left unchanged.");
      return { kind: "cancelled" };
    }
    const stage = error instanceof StageError ? error.stage : "load";
    // I/O cut short by the time limit throws an abort error of its own: report the time limit instead.
    const cause = timeLimit?.aborted ? new RunTimeLimitError(timeLimitMs!) : error instanceof StageError ? error.cause : error;
    const permanent = cause instanceof EtlError && cause.permanent;
    const message = userMessage(cause);
    const final = permanent || attempt >= maxAttempts;
    await markRunFailed(db, runId, { stage, message, final });
    await log("error", `${stage} failed: ${message}`, { stage, attempt });
    if (!final) await log("info", `Attempt ${attempt} of ${maxAttempts} failed; the run will be retried.`);
    // Our own errors are fully described in the run log; anything else needs its stack for operators.
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
