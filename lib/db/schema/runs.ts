import { bigint, bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ColumnType, JobDefinition } from "@/lib/schemas/jobs";
import { workspaces } from "./auth";
import { jobs } from "./jobs";

export const runStatus = pgEnum("run_status", ["pending", "running", "success", "failed", "cancelled"]);
export const runTrigger = pgEnum("run_trigger", ["manual", "api", "schedule", "retry"]);
export const runStage = pgEnum("run_stage", ["extract", "transform", "load"]);
export const logLevel = pgEnum("log_level", ["debug", "info", "warn", "error"]);

export type RunProgress = { rowsRead: number; rowsLoaded: number; stage: "extract" | "transform" | "load" | null };

export const runs = pgTable(
  "runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    status: runStatus().notNull().default("pending"),
    trigger: runTrigger().notNull(),
    attempt: integer().notNull().default(0),
    /** The job's definition as it was at trigger time: editing the job never changes a queued run. */
    definition: jsonb().$type<JobDefinition>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    rowsExtracted: bigint({ mode: "number" }).notNull().default(0),
    rowsLoaded: bigint({ mode: "number" }).notNull().default(0),
    progress: jsonb().$type<RunProgress>(),
    errorStage: runStage(),
    errorMessage: text(),
    /**
     * Set anew by every attempt that claims the run; only the attempt holding the current fence may
     * record progress, fail or commit it. A worker that lost its queue lock (paused, slow) and comes
     * back finds its fence replaced and can no longer commit over the attempt that took over.
     */
    fence: uuid(),
    /** Written every few seconds by the worker executing the run: a run whose heartbeat stopped has no live worker. */
    heartbeatAt: timestamp({ withTimezone: true }),
    /** The `Idempotency-Key` of the API request that triggered the run: one run per key and job. */
    idempotencyKey: text(),
    /** The schedule tick that created the run: one run per tick and job, however often the tick is delivered. */
    scheduledFor: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("runs_job_created_idx").on(t.jobId, t.createdAt),
    index("runs_workspace_created_idx").on(t.workspaceId, t.createdAt),
    index("runs_status_idx").on(t.status),
    index("runs_finished_idx").on(t.finishedAt),
    uniqueIndex("runs_job_idempotency_key").on(t.jobId, t.idempotencyKey),
    uniqueIndex("runs_job_scheduled_for_key").on(t.jobId, t.scheduledFor),
  ],
);

export const runLogs = pgTable(
  "run_logs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    runId: uuid()
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    ts: timestamp({ withTimezone: true }).notNull().defaultNow(),
    level: logLevel().notNull(),
    message: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [index("run_logs_run_idx").on(t.runId, t.id), index("run_logs_ts_idx").on(t.ts)],
);

/** One row per job that has loaded data: the dataset table's name and its columns' types. */
export const datasets = pgTable("datasets", {
  jobId: uuid()
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  workspaceId: uuid()
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  tableName: text().notNull(),
  columns: jsonb().$type<DatasetColumn[]>().notNull(),
  lastRunId: uuid(),
  rowCount: bigint({ mode: "number" }).notNull().default(0),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type DatasetColumn = { name: string; type: ColumnType };
