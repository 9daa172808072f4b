import "server-only";
import { db } from "@/lib/db/client";
import { appendRunLog, appendRunLogs, type RunLogLine } from "@/lib/db/queries/runs";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type RunLogger = (level: LogLevel, message: string, data?: Record<string, unknown>) => Promise<void>;

/** Writes a run's log lines to PostgreSQL as they happen, so the UI and API can read them live. */
export function runLogger(runId: string): RunLogger {
  return async (level, message, data) => {
    await appendRunLog(db, runId, level, message, data);
  };
}

/**
 * Where an attempt logs. `flush` resolves once the lines logged so far are safe from the end of
 * the thread that logged them: written to the database, or handed to the worker's main thread,
 * which writes them (isolated-run.ts).
 */
export type RunLog = { log: RunLogger; flush: () => Promise<void> };

/**
 * The log of a running attempt: lines are written in order, as they happen, but the run does not
 * wait for each insert — a source logging every page would otherwise spend a database round trip
 * per page. Lines logged while an insert is in flight go together in the next one. A failed
 * insert fails the next `log` or the `flush` that ends the attempt.
 */
export function bufferedRunLogger(runId: string): RunLog {
  let queued: RunLogLine[] = [];
  let writing: Promise<void> | null = null;
  let failure: unknown = null;

  // Nothing awaits between the last check of the queue and `writing = null`: a line queued after
  // that check finds no insert in flight and starts the next one.
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

  return {
    log: async (level, message, data) => {
      if (failure) throw failure;
      queued.push({ level, message, data });
      writing ??= pump();
    },
    flush: async () => {
      while (writing) await writing;
      if (failure) throw failure;
    },
  };
}
