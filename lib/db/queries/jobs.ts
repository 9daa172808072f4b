import "server-only";
import { and, count, desc, eq, ilike, inArray, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { jobs, runs } from "@/lib/db/schema";
import type { LastStatusFilter } from "@/lib/schemas/job-list";
import type { JobDefinition } from "@/lib/schemas/jobs";

type JobRow = typeof jobs.$inferSelect;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The job's newest run's status is `status`, or (for "never") it has no run; walks runs_job_created_idx. */
function lastStatusIs(status: LastStatusFilter) {
  if (status === "never") return dsql`NOT EXISTS (SELECT 1 FROM ${runs} WHERE ${runs.jobId} = ${jobs.id})`;
  return dsql`(SELECT ${runs.status} FROM ${runs} WHERE ${runs.jobId} = ${jobs.id} ORDER BY ${runs.createdAt} DESC LIMIT 1) = ${status}`;
}

export async function listJobs(
  db: Db,
  params: { workspaceIds: string[]; q?: string; lastStatus?: LastStatusFilter; page: number; pageSize: number },
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
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
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

/** Every job with a schedule, for reconciling the queue's schedulers with them. */
export async function listScheduledJobs(db: Db): Promise<Pick<JobRow, "id" | "definition">[]> {
  return db
    .select({ id: jobs.id, definition: jobs.definition })
    .from(jobs)
    .where(dsql`jsonb_typeof(${jobs.definition}->'schedule') = 'object'`);
}
