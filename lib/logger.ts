import "server-only";
import pino from "pino";
import { env } from "@/lib/env";

/**
 * The structured log of web and worker processes: one JSON object per line on stdout (pino),
 * with ISO timestamps, the process id and host, and `err` serialized with its stack. Run-related
 * lines carry `runId` (use `runLog(runId)`), so one run's story can be filtered across processes.
 * What users see of a run is its run log in PostgreSQL (lib/etl/run-log.ts), not this.
 */
export const logger = pino({
  level: env.LOG_LEVEL,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export function runLog(runId: string, bindings: Record<string, unknown> = {}) {
  return logger.child({ runId, ...bindings });
}
