import { bigint, doublePrecision, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { runStatus } from "./runs";

/**
 * Totals of finished runs per final status, for /api/metrics. A trigger on `runs` (migration
 * 0004) counts every transition into success, failed or cancelled in the same transaction that
 * makes it, whichever code path makes it, so the counters are exact and only ever grow, even
 * after old runs are pruned.
 */
export const runTotals = pgTable("run_totals", {
  status: runStatus().primaryKey(),
  runs: bigint({ mode: "number" }).notNull().default(0),
  rowsLoaded: bigint({ mode: "number" }).notNull().default(0),
  durationSecondsSum: doublePrecision().notNull().default(0),
});

/** Cumulative histogram buckets of run durations (started → finished) per final status; `le` in seconds. */
export const runDurationBuckets = pgTable(
  "run_duration_buckets",
  {
    status: runStatus().notNull(),
    le: doublePrecision().notNull(),
    runs: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.le] })],
);

/** When each periodic worker task last ran: a worker runs a task only after taking its lease, so one does per interval. */
export const maintenanceLeases = pgTable("maintenance_leases", {
  task: text().primaryKey(),
  ranAt: timestamp({ withTimezone: true }).notNull(),
});
