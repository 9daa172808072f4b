import "server-only";
import { db } from "@/lib/db/client";
import { appendRunLogs, type RunLogLine } from "@/lib/db/queries/runs";

export type LogLevel = "debug" | "info" | "warn" | "error";
/** `ts`: when the line was logged, if that was elsewhere (a run thread, whose lines the main thread writes); now otherwise. */
export type RunLogger = (level: LogLevel, message: string, data?: Record<string, unknown>, ts?: Date) => Promise<void>;

/** Writes a run's log lines to PostgreSQL as they happen, so the UI and API can read them live. */
export function runLogger(runId: string): RunLogger {
  return async (level, message, data, ts) => {
    await appendRunLogs(db, runId, [{ level, message, data, ts }]);
  };
}

/**
 * Where an attempt logs. `flush` resolves once the lines logged so far are safe from the end of
 * the thread that logged them: written to the database, or handed to the worker's main thread,
 * which writes them (isolated-run.ts).
 */
export type RunLog = { log: RunLogger; flush: () => Promise<void> };

/**
 * How long a line waits for others before they are written together. A source logs every page it
 * fetches: an HTTP run of 200 pages in two seconds committed an insert per line, four round trips
 * each, which the worker's main thread and PostgreSQL paid for on cores the run needed. A worker
 * process that is killed loses what waits, at most this much of its runs' logs.
 */
const LOG_BATCH_MS = 200;

/**
 * The log of a running attempt: lines are written in order, a fraction of a second after they
 * happen, each with the time it was logged, and the run does not wait for their insert. A line
 * waits at most LOG_BATCH_MS, and every line logged meanwhile, or while an insert is in flight,
 * goes in the same insert; `flush` writes at once. A failed insert fails the next `log` or the
 * `flush` that ends the attempt.
 */
export function bufferedRunLogger(runId: string): RunLog {
  let queued: RunLogLine[] = [];
  let writing: Promise<void> | null = null;
  let waiting: NodeJS.Timeout | null = null;
  let failure: unknown = null;

  // Nothing awaits between the last check of the queue and `writing = null`: a line queued after
  // that check finds no insert in flight and starts the wait for the next one.
  const pump = async () => {
    try {
      while (queued.length > 0) {
        const lines = queued;
        queued = [];
        await appendRunLogs(db, runId, lines);
      }
    } catch (error) {
      failure ??= error;
    } finally {
      writing = null;
    }
  };
  const write = () => {
    if (waiting) clearTimeout(waiting);
    waiting = null;
    writing ??= pump();
  };

  return {
    log: async (level, message, data, ts = new Date()) => {
      if (failure) throw failure;
      queued.push({ level, message, data, ts });
      if (!writing && !waiting) waiting = setTimeout(write, LOG_BATCH_MS);
    },
    flush: async () => {
      if (waiting) write();
      while (writing) await writing;
      if (failure) throw failure;
    },
  };
}
