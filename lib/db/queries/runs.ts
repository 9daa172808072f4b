import "server-only";
import { and, count, desc, eq, gt, inArray, asc, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { runLogs, runs } from "@/lib/db/schema";
import type { JobDefinition } from "@/lib/schemas/jobs";
import type { RunStatus } from "@/lib/schemas/runs";

export type RunRow = typeof runs.$inferSelect;
type LogLevel = (typeof runLogs.$inferInsert)["level"];

export async function insertRun(
  db: Db,
  values: { jobId: string; workspaceId: string; trigger: RunRow["trigger"]; definition: JobDefinition },
): Promise<RunRow> {
  const [run] = await db.insert(runs).values(values).returning();
  return run!;
}

const runById = prepared((db) => db.select().from(runs).where(eq(runs.id, sql.placeholder("id"))).limit(1).prepare("run_by_id"));

export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  const [run] = await runById(db).execute({ id });
  return run;
}

export async function listRuns(
  db: Db,
  params: { workspaceIds: string[]; jobId?: string; status?: RunStatus; page: number; pageSize: number },
) {
  if (params.workspaceIds.length === 0) return { count: 0, rows: [] };
  const where = and(
    inArray(runs.workspaceId, params.workspaceIds),
    params.jobId ? eq(runs.jobId, params.jobId) : undefined,
    params.status ? eq(runs.status, params.status) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(runs)
      .where(where)
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(runs).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}

/** A log line; `ts` is when it was logged, if it is written later (now() of the insert otherwise). */
export type RunLogLine = { level: LogLevel; message: string; data?: Record<string, unknown>; ts?: Date };

/** The insert failed because the run_logs row's run is gone; drizzle carries the driver's error in `cause`. */
function isMissingRun(error: unknown): boolean {
  const constraintOf = (e: unknown) => (e as { constraint_name?: unknown } | null)?.constraint_name;
  return [error, (error as { cause?: unknown } | null)?.cause].some((e) => constraintOf(e) === "run_logs_run_id_runs_id_fk");
}

/**
 * Several lines in one insert; their ids follow their order. Lines of a run that was deleted
 * (with its job or workspace) while a worker still executed it are dropped: nobody can read them.
 */
export async function appendRunLogs(db: Db, runId: string, lines: readonly RunLogLine[]): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      // A commit waits for the WAL to reach the disk, and while a run's COPY streams, that WAL holds
      // megabytes of its rows: about 10 ms a line here. A log line can do without: a crash of the
      // database server loses at most its last fraction of a second of log, never a run's data.
      await tx.execute(sql`SET LOCAL synchronous_commit = off`);
      await tx.insert(runLogs).values(lines.map(({ level, message, data, ts }) => ({ runId, level, message, data: data ?? null, ts })));
    });
  } catch (error) {
    if (!isMissingRun(error)) throw error;
  }
}

export async function listRunLogs(db: Db, params: { runId: string; after?: number; page: number; pageSize: number }) {
  const where = and(eq(runLogs.runId, params.runId), params.after ? gt(runLogs.id, params.after) : undefined);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(runLogs)
      .where(where)
      .orderBy(asc(runLogs.id))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(runLogs).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}

export async function cancelRunRow(db: Db, id: string): Promise<RunRow | undefined> {
  const [run] = await db
    .update(runs)
    // A cancelled run's outcome is the cancel: an earlier attempt's failure stays in its log.
    .set({ status: "cancelled", finishedAt: new Date(), errorStage: null, errorMessage: null })
    .where(and(eq(runs.id, id), inArray(runs.status, ["pending", "running"])))
    .returning();
  return run;
}
