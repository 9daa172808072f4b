import "server-only";
import { db } from "@/lib/db/client";
import { appendRunLog } from "@/lib/db/queries/runs";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type RunLogger = (level: LogLevel, message: string, data?: Record<string, unknown>) => Promise<void>;

/** Writes a run's log lines to PostgreSQL as they happen, so the UI and API can read them live. */
export function runLogger(runId: string): RunLogger {
  return async (level, message, data) => {
    await appendRunLog(db, runId, level, message, data);
  };
}
