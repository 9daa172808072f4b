import "server-only";
import { db, type Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { failAttempt, setAttemptProgress } from "@/lib/db/queries/run-attempts";
import { getRun } from "@/lib/db/queries/runs";
import { runLog } from "@/lib/logger";
import { incrementalModeProblem } from "@/lib/schemas/jobs";
import type { RunStage } from "@/lib/schemas/runs";
import { openDestination } from "./destinations";
import type { DestinationLoad } from "./destinations/types";
import { openIncremental } from "./incremental";
import { AttemptSupersededError, EtlError, inStage, isPermanent, RunCancelledError, RunTimeLimitError, StageError, userMessage } from "./errors";
import { bufferedRunLogger, type RunLog, type RunLogger } from "./run-log";
import { extract } from "./sources";
import { TransformPipeline } from "./transforms/pipeline";

export type RunOutcome =
  | { kind: "success"; rowsLoaded: number }
  | { kind: "cancelled" }
  /** The attempt lost the run to a newer one (or the run was ended from outside); it recorded nothing. */
  | { kind: "superseded" }
  | { kind: "failed"; stage: RunStage; message: string; permanent: boolean; final: boolean };

/** An attempt that claimed the run (lib/db/queries/run-attempts.ts claimRun). */
export type Attempt = {
  attempt: number;
  maxAttempts: number;
  fence: string;
  /** The run was `running` when claimed: the worker of an earlier try of this attempt stopped responding. */
  resumed?: boolean;
  signal?: AbortSignal;
  /** Fails the attempt once this much time has passed: I/O is aborted, and work stops at the next stage boundary. */
  timeLimitMs?: number;
};

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Executes one claimed attempt of a run: extract page by page, transform each page, load it into
 * a staging table, then swap the dataset in and mark the run `success` in one transaction, which
 * refuses if the attempt's fence is no longer the run's. Every failure is recorded on the run
 * with its stage before the outcome is returned.
 */
export async function executeRun(
  runId: string,
  { attempt, maxAttempts, fence, resumed, signal, timeLimitMs }: Attempt,
  attemptLog: RunLog = bufferedRunLogger(runId),
): Promise<RunOutcome> {
  const run = await getRun(db, runId);
  if (!run) return { kind: "failed", stage: "extract", message: "The run no longer exists.", permanent: true, final: true };
  if (run.status === "cancelled") return { kind: "cancelled" };
  if (run.status !== "running" || run.fence !== fence) return { kind: "superseded" };

  const { log, flush: flushLog } = attemptLog;
  const definition = run.definition;
  if (resumed) await log("warn", "The worker executing this attempt stopped responding (crash or lost queue lock); starting the attempt again.");
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
  const cancellation = watchCancellation(runId, fence, abort);
  let load: DestinationLoad | undefined;
  // Ends the source early (failure, cancel): its generator's cleanup closes connections and files.
  let closeSource: (() => Promise<unknown>) | undefined;
  let rowsRead = 0;
  try {
    const context = { jobId: run.jobId, workspaceId: run.workspaceId, runId, attemptId: fence, log };
    // Saved before jobs were checked for it, such a job would replace its rows with only the new ones.
    const modeProblem = incrementalModeProblem(definition);
    if (modeProblem) await inStage("load", () => Promise.reject(new EtlError(`The destination's ${modeProblem}. Edit the job.`, true)));
    load = await inStage("load", () => openDestination(definition.destination, context));
    const incremental = await inStage("extract", () => openIncremental(db, run.jobId, definition.source, log));
    const pipeline = await inStage(
      "transform",
      () => new TransformPipeline(definition.transform, { maxBufferedRows: env.TRANSFORM_MAX_BUFFERED_ROWS }),
    );
    const source = extract(definition.source, {
      signal: stopOn,
      log,
      sampleOnly: false,
      workspaceId: run.workspaceId,
      incremental: incremental?.tracker,
      // A limit step stops reading at the page that reaches it: nothing past it is requested.
      readAhead: !pipeline.mayStopEarly,
    });
    closeSource = () => source.return(undefined);
    let lastProgress = Date.now();
    const reportProgress = async (stage: RunStage) => {
      if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = Date.now();
      await setAttemptProgress(db, runId, fence, { rowsRead, rowsLoaded: load!.rowsWritten, stage });
    };
    while (true) {
      const next = await timed("extract", () => source.next());
      if (next.done) break;
      cancellation.check();
      rowsRead += next.value.length;
      // A step may compute for long, and a run stuck computing is stopped by ending its thread:
      // what the run logged up to here (the page it is on) must not end with it. In a run thread
      // the lines are with the main thread already; awaiting an insert per page instead cost the
      // benchmark's HTTP job a fifth of its time (each insert waited on a database busy with the COPY).
      await inStage("extract", flushLog);
      const batch = await timed("transform", () => pipeline.push(next.value));
      if (batch) await timed("load", () => load!.write(batch));
      await reportProgress(batch ? "load" : "extract");
      if (pipeline.done) {
        await inStage("extract", () => source.return(undefined));
        await log("info", `The limit step was reached after ${rowsRead} source rows; stopped reading the source.`);
        break;
      }
    }
    await inStage("extract", flushLog);
    const rest = await timed("transform", () => pipeline.finish());
    if (rest) await timed("load", () => load!.write(rest));
    cancellation.check();
    const rowsLoaded = load.rowsWritten;
    await inStage("load", () =>
      load!.commit(async (tx) => {
        await markSucceeded(tx, runId, fence, rowsRead, rowsLoaded);
        // The incremental position moves only together with the rows it covers.
        await incremental?.save(tx, runId);
      }),
    );
    await log("info", `Loaded ${rowsLoaded} rows into the dataset (${load.columnTypes.length} columns).`, {
      columns: load.columnTypes,
    });
    await flushLog();
    return { kind: "success", rowsLoaded };
  } catch (error) {
    await closeSource?.().catch(() => undefined);
    await load?.abort().catch(() => undefined);
    if (error instanceof RunCancelledError || cancellation.cancelled) {
      await log("warn", "Run cancelled; the dataset was left unchanged.");
      return { kind: "cancelled" };
    }
    if (error instanceof AttemptSupersededError || cancellation.superseded) return superseded(log, attempt);
    const stage = error instanceof StageError ? error.stage : "load";
    // I/O cut short by the time limit throws an abort error of its own: report the time limit instead.
    const cause = timeLimit?.aborted ? new RunTimeLimitError(timeLimitMs!) : error instanceof StageError ? error.cause : error;
    const permanent = isPermanent(cause);
    const message = userMessage(cause);
    const final = permanent || attempt >= maxAttempts;
    if (!(await failAttempt(db, runId, fence, { stage, message, final, rowsRead }))) return superseded(log, attempt);
    await log("error", `${stage} failed: ${message}`, { stage, attempt });
    if (!final) await log("info", `Attempt ${attempt} of ${maxAttempts} failed; the run will be retried.`);
    // Our own errors are fully described in the run log; anything else needs its stack for operators.
    if (!(cause instanceof EtlError)) runLog(runId, { stage, attempt }).error({ err: cause }, "run attempt failed");
    return { kind: "failed", stage, message, permanent, final };
  } finally {
    cancellation.stop();
    // The outcome is what counts once the attempt has ended: a log that cannot be written then is lost.
    await flushLog().catch(() => undefined);
  }
}

async function superseded(log: RunLogger, attempt: number): Promise<RunOutcome> {
  await log(
    "warn",
    `Attempt ${attempt} no longer holds the run: a newer attempt took it over (this worker was paused or too slow to keep its queue lock) or it was ended. Its work was discarded.`,
  );
  return { kind: "superseded" };
}

/**
 * Marks the run successful inside the destination's commit, holding the run's row until that
 * commit ends; refuses if the run was cancelled meanwhile or if a newer attempt holds its fence.
 */
async function markSucceeded(tx: Sql, runId: string, fence: string, rowsRead: number, rowsLoaded: number): Promise<void> {
  const [state] = await tx<{ status: string; fence: string | null }[]>`SELECT status, fence FROM runs WHERE id = ${runId} FOR UPDATE`;
  if (state?.status === "cancelled") throw new RunCancelledError();
  if (state?.status !== "running" || state.fence !== fence) throw new AttemptSupersededError();
  const progress = { rowsRead, rowsLoaded, stage: null };
  await tx`
    UPDATE runs SET status = 'success', finished_at = now(), rows_extracted = ${rowsRead}, rows_loaded = ${rowsLoaded},
      progress = ${JSON.stringify(progress)}::jsonb, error_stage = NULL, error_message = NULL
    WHERE id = ${runId}`;
}

/** Polls the run so that a cancel from the API, or a newer attempt taking the run over, stops the work between batches. */
function watchCancellation(runId: string, fence: string, abort: AbortController) {
  let cancelled = false;
  let superseded = false;
  const timer = setInterval(async () => {
    try {
      const run = await getRun(db, runId);
      if (run?.status === "cancelled") {
        cancelled = true;
        abort.abort(new RunCancelledError());
      } else if (run && run.fence !== fence) {
        superseded = true;
        abort.abort(new AttemptSupersededError());
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
    get superseded() {
      return superseded;
    },
    check() {
      if (cancelled) throw new RunCancelledError();
      if (superseded) throw new AttemptSupersededError();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
