import "server-only";
import { and, asc, count, desc, eq, ilike, inArray, or, sql as dsql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { jobs, runs } from "@/lib/db/schema";
import { parseJobSort, type JobSort, type JobSortField, type LastStatusFilter } from "@/lib/schemas/job-list";
import type { JobDefinition } from "@/lib/schemas/jobs";
import type { RunStatus } from "@/lib/schemas/runs";
import { lockJobRuns } from "./run-attempts";

type JobRow = typeof jobs.$inferSelect;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The job's newest run's status is `status`, or (for "never") it has no run; walks runs_job_created_idx. */
function lastStatusIs(status: LastStatusFilter) {
  if (status === "never") return dsql`NOT EXISTS (SELECT 1 FROM ${runs} WHERE ${runs.jobId} = ${jobs.id})`;
  return dsql`(SELECT ${runs.status} FROM ${runs} WHERE ${runs.jobId} = ${jobs.id} ORDER BY ${runs.createdAt} DESC LIMIT 1) = ${status}`;
}

/** The newest run's creation time; null for a job that never ran. Walks runs_job_created_idx. */
const lastRunAt = dsql`(SELECT max(${runs.createdAt}) FROM ${runs} WHERE ${runs.jobId} = ${jobs.id})`;

// Names compare case-insensitively: the database's collation may be "C", which puts "Zeta" before "alpha".
const sortKeys: Record<JobSortField, SQL> = {
  name: dsql`lower(${jobs.name})`,
  createdAt: dsql`${jobs.createdAt}`,
  updatedAt: dsql`${jobs.updatedAt}`,
  lastRunAt,
};

/** The ORDER BY of a sort; ties are broken by id so that pages never overlap or skip a job. */
function orderOf(sort: JobSort): SQL[] {
  const { field, desc } = parseJobSort(sort);
  const direction = dsql.raw(desc ? "DESC" : "ASC");
  return [dsql`${sortKeys[field]} ${direction} NULLS LAST`, dsql`${jobs.id} ${direction}`];
}

export async function listJobs(
  db: Db,
  params: { workspaceIds: string[]; q?: string; lastStatus?: LastStatusFilter; sort: JobSort; page: number; pageSize: number },
) {
  if (params.workspaceIds.length === 0) return { count: 0, rows: [] };
  const where = and(
    inArray(jobs.workspaceId, params.workspaceIds),
    params.q ? ilike(jobs.name, `%${escapeLike(params.q)}%`) : undefined,
    params.lastStatus ? lastStatusIs(params.lastStatus) : undefined,
  );
  const [jobRows, [total]] = await Promise.all([
    db
      .select()
      .from(jobs)
      .where(where)
      .orderBy(...orderOf(params.sort))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(jobs).where(where),
  ]);
  const lastRuns = await lastRunsOf(db, jobRows.map((j) => j.id));
  const rows = jobRows.map((job) => ({ job, lastRun: lastRuns.get(job.id) ?? null }));
  return { count: total?.n ?? 0, rows };
}

export async function getJob(db: Db, id: string): Promise<JobRow | undefined> {
  const [job] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return job;
}

const lastRunColumns = {
  jobId: runs.jobId,
  id: runs.id,
  status: runs.status,
  createdAt: runs.createdAt,
  startedAt: runs.startedAt,
  finishedAt: runs.finishedAt,
};

/** The newest run of each job, in one query (DISTINCT ON walks runs_job_created_idx). */
type LastRun = { jobId: string; id: string; status: string; createdAt: Date; startedAt: Date | null; finishedAt: Date | null };

async function lastRunsOf(db: Db, jobIds: string[]): Promise<Map<string, LastRun>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([runs.jobId], lastRunColumns)
    .from(runs)
    .where(inArray(runs.jobId, jobIds))
    .orderBy(runs.jobId, desc(runs.createdAt));
  return new Map(rows.map((r) => [r.jobId, r]));
}

export async function getLastRun(db: Db, jobId: string) {
  return (await lastRunsOf(db, [jobId])).get(jobId) ?? null;
}

export async function insertJob(
  db: Db,
  values: { workspaceId: string; name: string; description: string | null; definition: JobDefinition; createdBy: string },
): Promise<JobRow> {
  const [job] = await db.insert(jobs).values(values).returning();
  return job!;
}

export async function updateJob(
  db: Db,
  id: string,
  values: { name?: string; description?: string | null; definition?: JobDefinition },
): Promise<JobRow | undefined> {
  const [job] = await db
    .update(jobs)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(jobs.id, id))
    .returning();
  return job;
}

/** The run that keeps a job from being deleted; `status` may be finished while a worker still holds it. */
export type BusyRun = { id: string; status: RunStatus };

/**
 * Deletes the job (its runs and their logs cascade) and drops its dataset table, unless one of its
 * runs is pending or running, or still held by a worker (`heldRunIds`: a cancelled run stays held
 * until its worker notices): then nothing changes and that run is returned. A worker must never
 * find its run's rows gone under it. Serialized with claims and triggers (lockJobRuns), so no run
 * starts between the check and the delete, and with dataset commits (the job's dataset lock).
 */
export async function deleteIdleJob(
  db: Db,
  jobId: string,
  { datasetTable, heldRunIds }: { datasetTable: string; heldRunIds: string[] },
): Promise<BusyRun | null> {
  return db.transaction(async (tx) => {
    await lockJobRuns(tx, jobId);
    await tx.execute(dsql`SELECT pg_advisory_xact_lock(hashtext(${jobId}))`);
    const [busy] = await tx
      .select({ id: runs.id, status: runs.status })
      .from(runs)
      .where(
        and(
          eq(runs.jobId, jobId),
          or(inArray(runs.status, ["pending", "running"]), heldRunIds.length > 0 ? inArray(runs.id, heldRunIds) : undefined),
        ),
      )
      .orderBy(asc(runs.createdAt))
      .limit(1);
    if (busy) return busy;
    await tx.execute(dsql.raw(`DROP TABLE IF EXISTS ${datasetTable}`));
    await tx.delete(jobs).where(eq(jobs.id, jobId));
    return null;
  });
}

/** Every job with a schedule, for reconciling the queue's schedulers with them. */
export async function listScheduledJobs(db: Db): Promise<Pick<JobRow, "id" | "definition">[]> {
  return db
    .select({ id: jobs.id, definition: jobs.definition })
    .from(jobs)
    .where(dsql`jsonb_typeof(${jobs.definition}->'schedule') = 'object'`);
}
