import "server-only";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { db } from "@/lib/db/client";
import { failAttempt, releaseAttempt } from "@/lib/db/queries/run-attempts";
import { getRun, type RunLogLine } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { RunTimeLimitError, type EtlError } from "./errors";
import type { Attempt, RunOutcome } from "./run";
import { bufferedRunLogger, runLogger, type RunLog } from "./run-log";

export type RunThreadInput = Pick<Attempt, "attempt" | "maxAttempts" | "fence" | "resumed"> & { runId: string; timeLimitMs: number };

/** What a run thread posts: the lines its attempt logs, then the attempt's outcome. */
export type RunThreadMessage = { kind: "log"; runId: string; line: RunLogLine } | { kind: "outcome"; outcome: RunOutcome };

/** What the worker can get back besides an attempt's own outcome: the attempt stopped for a shutdown and the run is pending again. */
export type IsolatedRunOutcome = RunOutcome | { kind: "handedBack" };

/**
 * Runs allocate fast and briefly (each batch is parsed, transformed, loaded and dropped), and V8's
 * default heap growth (up to 4× the live size between full collections) let a run thread's heap
 * swell with garbage: 520 MB of worker RSS at 1M CSV rows and 790 MB at 5M in the benchmark, with
 * 20,000-row batches. With batches of 1,000–2,000 rows the live size stays near 25 MB, and growing by
 * the live size keeps the peak flat: the benchmark's CSV job peaked at 184–196 MB at 1M rows and
 * 185–196 MB at 5M. Growing by half of it collected every 200 ms, a tenth of the run:
 * 0.44–0.49 × floor against 0.50–0.59 in alternating runs. (JSON and XLSX files keep 20,000-row
 * batches, a larger live size and so a higher peak; the factor only times collections, V8 still
 * collects in full before a thread would pass RUN_MAX_MEMORY_MB.) The flag is process-wide and
 * read at each collection, so it also covers threads started later.
 */
setFlagsFromString("--heap-growing-percent=100");
/**
 * A run thread's young generation: semi-spaces of up to 8 MB (the worker process's
 * `--max-semi-space-size=2` would otherwise apply to every isolate). V8 reads the flag when it
 * creates an isolate and it takes precedence over a Worker's resourceLimits, so set here it
 * applies to every run thread started later, not to the main thread, whose heap exists already
 * (scripts/worker-bundle.ts). With batches small enough to die young (file-csv.ts,
 * database-reading.ts), the benchmark's 1M-row CSV run took 2.4–2.5 s at 8 MB, 2.3–2.5 s at 16 MB
 * and 2.9 s at 4 MB; at 8 MB the worker peaked at 220 MB for 1M rows and 210–225 MB for 5M, at
 * 16 MB at 240–260 and 250–290 MB, too uneven for the 5M figure to stay within 10% of the 1M one.
 */
setFlagsFromString("--max-semi-space-size=8");

/**
 * The run thread's entry. The production worker is bundled into plain JavaScript
 * (scripts/worker-bundle.ts) with run-thread.mjs beside its main entry, which the thread loads as
 * it is. Run from TypeScript source (npm run dev, the tests), a worker thread starts without the
 * parent's module hooks, so it registers tsx before it imports run-thread.ts.
 */
const THREAD = import.meta.url.endsWith(".ts")
  ? {
      entry: `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./run-thread.ts", import.meta.url).href)}); });`,
      eval: true,
    }
  : { entry: new URL("./run-thread.mjs", import.meta.url), eval: false };
/** After the time limit, how long the run gets to fail by itself (abort its I/O, drop its staging) before its thread is stopped. */
const LIMIT_GRACE_MS = 10_000;
/** After a cancel, how long the run gets to notice between batches before its thread is stopped. */
const CANCEL_GRACE_MS = 5_000;
const POLL_MS = 1_000;

type Stop = "time" | "cancel" | "memory" | "crash" | "handback" | "start";

/** A thread that ran out of memory, or whose isolate or event loop Node could not create (after the thread itself was). */
const STOP_BY_ERROR_CODE: Record<string, Stop> = { ERR_WORKER_OUT_OF_MEMORY: "memory", ERR_WORKER_INIT_FAILED: "start" };

/** Threads waiting for their next run; starting one costs about two seconds of module loading. */
const idle: Worker[] = [];

/**
 * Executes one run attempt in a worker thread, so that no run can block the worker: arquero
 * steps are synchronous, and a step that computes for too long (a sort of a huge batch, a heavy
 * expression) would otherwise freeze every other run of this process and the renewal of BullMQ's
 * job locks. The run enforces its time limit itself at every stage boundary and by aborting I/O;
 * only when it cannot (it is stuck computing) is its thread terminated from here, which V8 does
 * even in the middle of a loop. The same happens to a run whose cancel goes unnoticed, and a run
 * that outgrows RUN_MAX_MEMORY_MB ends alone instead of taking the process down. Aborting
 * `handBack` (a worker shutting down) stops the attempt too and puts the run back to `pending`.
 *
 * Running the attempt off the main thread is also what keeps BullMQ's lock renewal and stalled
 * checks (timers on the main thread) on time during long synchronous transforms: a sandboxed
 * processor would do the same at the cost of a process per job, and cooperative yielding cannot
 * interrupt a single long arquero call.
 */
export async function executeRunIsolated(
  runId: string,
  attempt: Pick<Attempt, "attempt" | "maxAttempts" | "fence" | "resumed">,
  limits: { timeLimitMs?: number; graceMs?: number; handBack?: AbortSignal } = {},
): Promise<IsolatedRunOutcome> {
  const input: RunThreadInput = { runId, ...attempt, timeLimitMs: limits.timeLimitMs ?? env.RUN_TIMEOUT_MS };
  let thread: Worker;
  try {
    thread = idle.pop() ?? startThread();
  } catch (error) {
    // Node could not create the thread (out of memory or threads): the attempt fails with a
    // transient error, which the queue retries, instead of leaving the run running.
    logger.error({ err: error, runId }, "could not start a run thread");
    return recordStop(input, "start");
  }
  thread.ref();
  let stop: Stop | null = null;
  const terminate = (reason: Stop) => {
    stop ??= reason;
    void thread.terminate();
  };
  const timeLimit = setTimeout(() => terminate("time"), input.timeLimitMs + (limits.graceMs ?? LIMIT_GRACE_MS));
  const cancelWatch = watchForCancel(runId, () => terminate("cancel"));
  const handBack = () => terminate("handback");
  if (limits.handBack?.aborted) handBack();
  limits.handBack?.addEventListener("abort", handBack);
  const runLog = threadLog(runId);
  let onMessage!: (message: RunThreadMessage) => void;
  let onError!: (error: Error) => void;
  let onExit!: () => void;
  try {
    const outcome = await new Promise<RunOutcome | null>((resolve) => {
      onMessage = (message) => {
        if (message.kind === "outcome") return resolve(message.outcome);
        // A line of another run (posted after that run's outcome) is not this run's.
        if (message.runId === runId) void runLog.log(message.line.level, message.line.message, message.line.data, message.line.ts);
      };
      // The thread's own error handler logs it; here it only tells why the run ended.
      onError = (error) => {
        stop ??= STOP_BY_ERROR_CODE[(error as { code?: string }).code ?? ""] ?? "crash";
      };
      onExit = () => resolve(null);
      thread.on("message", onMessage).on("error", onError).on("exit", onExit);
      thread.postMessage(input);
    });
    // The attempt's lines come first: whoever reads the run once it has ended finds its whole log.
    await runLog.flush();
    if (outcome) {
      release(thread);
      return outcome;
    }
    return await recordStop(input, stop ?? "crash");
  } finally {
    clearTimeout(timeLimit);
    cancelWatch.stop();
    limits.handBack?.removeEventListener("abort", handBack);
    thread.off("message", onMessage).off("error", onError).off("exit", onExit);
  }
}

/** Ends the idle threads, for a clean shutdown. */
export async function closeRunThreads(): Promise<void> {
  await Promise.all(idle.splice(0).map((thread) => thread.terminate()));
}

function startThread(): Worker {
  const thread = new Worker(THREAD.entry, {
    eval: THREAD.eval,
    execArgv: ["--conditions=react-server"],
    resourceLimits: { maxOldGenerationSizeMb: env.RUN_MAX_MEMORY_MB },
  });
  thread.once("exit", () => {
    const index = idle.indexOf(thread);
    if (index !== -1) idle.splice(index, 1);
  });
  // An idle thread's error has no run to fail; it ends the thread, which leaves the pool on exit.
  thread.on("error", (error) => logger.error({ err: error }, "idle run thread failed"));
  return thread;
}

function release(thread: Worker): void {
  if (idle.length >= env.WORKER_CONCURRENCY) {
    void thread.terminate();
    return;
  }
  // Waiting threads must not keep the process alive.
  thread.unref();
  idle.push(thread);
}

/** Calls `onOverdue` when the run has been cancelled for CANCEL_GRACE_MS and still has not ended. */
function watchForCancel(runId: string, onOverdue: () => void) {
  let cancelledAt: number | null = null;
  const timer = setInterval(async () => {
    try {
      if (cancelledAt === null && (await getRun(db, runId))?.status === "cancelled") cancelledAt = Date.now();
    } catch {
      // A failed poll is retried on the next tick.
    }
    if (cancelledAt !== null && Date.now() - cancelledAt >= CANCEL_GRACE_MS) onOverdue();
  }, POLL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Writes the lines a run thread logs, in order and batched (run-log.ts). A line that cannot be
 * written (the database unreachable) is reported in the worker's own log and does not fail the
 * run, whose outcome is recorded by other means.
 */
function threadLog(runId: string): RunLog {
  let buffered = bufferedRunLogger(runId);
  const lost = (error: unknown) => {
    logger.error({ err: error, runId }, "run log lines could not be written");
    buffered = bufferedRunLogger(runId);
  };
  return {
    // The line that finds the failure goes into the next insert.
    log: (level, message, data, ts) =>
      buffered.log(level, message, data, ts).catch((error: unknown) => {
        lost(error);
        return buffered.log(level, message, data, ts);
      }),
    flush: () => buffered.flush().catch(lost),
  };
}

/** Records the end of an attempt whose thread never started, or was stopped or died before it could report. */
async function recordStop({ runId, attempt, maxAttempts, fence, timeLimitMs }: RunThreadInput, stop: Stop): Promise<IsolatedRunOutcome> {
  const run = await getRun(db, runId);
  if (!run) return { kind: "failed", stage: "extract", message: "The run no longer exists.", permanent: true, final: true };
  // The thread may have committed just before it was stopped.
  if (run.status === "success") return { kind: "success", rowsLoaded: run.rowsLoaded };
  // Or recorded its attempt's failure, then died of an error it could not catch (a driver error
  // from a connection terminated under it) before it could report: that record stands, and a
  // retry it allows must still happen, so the outcome is the failure, not a superseded attempt.
  if (run.fence === fence && (run.status === "pending" || run.status === "failed")) {
    const final = run.status === "failed";
    return { kind: "failed", stage: run.errorStage ?? "load", message: run.errorMessage ?? "The run stopped unexpectedly (internal error).", permanent: final, final };
  }
  // Loaded here, not at start: the destinations bring the engine's packages (arquero, mysql2), which
  // the main thread needs for nothing else; only run threads load them up front. An attempt whose
  // thread never started wrote nothing, and loading them then, short of memory or threads, could
  // fail the recording of its failure.
  if (stop !== "start") {
    const { discardAttempt } = await import("./destinations");
    await discardAttempt(run.definition.destination, runId, fence);
  }
  const log = runLogger(runId);
  if (run.status === "cancelled" || stop === "cancel") {
    await log("warn", "Run cancelled; the dataset was left unchanged.");
    return { kind: "cancelled" };
  }
  if (stop === "handback") {
    if (!(await releaseAttempt(db, runId, fence))) return { kind: "superseded" };
    await log("warn", `The worker is shutting down: attempt ${attempt} was stopped before it loaded anything and handed back to the queue.`);
    return { kind: "handedBack" };
  }

  const failure = stopFailure(stop, timeLimitMs);
  const final = failure.permanent || attempt >= maxAttempts;
  // The thread was stuck or out of memory: computing steps and the rows they hold are by far the
  // likeliest cause. A thread that never started never got past the extract stage.
  const stage = stop === "start" ? "extract" : "transform";
  if (!(await failAttempt(db, runId, fence, { stage, message: failure.message, final }))) return { kind: "superseded" };
  await log("error", `${stage} failed: ${failure.message}`, { stage, attempt });
  if (!final) await log("info", `Attempt ${attempt} of ${maxAttempts} failed; the run will be retried.`);
  return { kind: "failed", stage, message: failure.message, permanent: failure.permanent, final };
}

function stopFailure(stop: Exclude<Stop, "cancel" | "handback">, timeLimitMs: number): Pick<EtlError, "message" | "permanent"> {
  switch (stop) {
    case "time":
      return new RunTimeLimitError(timeLimitMs);
    case "memory":
      return {
        message: `The run needed more than ${env.RUN_MAX_MEMORY_MB} MB of memory (the RUN_MAX_MEMORY_MB limit) and was stopped.`,
        permanent: true,
      };
    case "crash":
      return { message: "The run stopped unexpectedly (internal error).", permanent: false };
    case "start":
      return { message: "The worker could not start a thread for the run (out of memory or threads?); see the worker's log.", permanent: false };
  }
}
