import { eq } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { insertJob } from "@/lib/db/queries/jobs";
import { insertRun, listRunLogs } from "@/lib/db/queries/runs";
import { datasets } from "@/lib/db/schema";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { apiToken } from "../api";
import { createUser } from "../db";


/** Inserts a job through the query layer, its definition validated (and defaulted) by the job schema. */
export async function createJob(params: { workspaceId: string; userId: string; name: string; definition: unknown }) {
  return insertJob(db, {
    workspaceId: params.workspaceId,
    name: params.name,
    description: null,
    definition: jobDefinitionSchema.parse(params.definition),
    createdBy: params.userId,
  });
}

/** A job of a new user that loads into a dataset, for tests that never run its source. */
export async function createDatasetJob(name: string) {
  const { user, workspace } = await createUser();
  return createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name,
    definition: { source: { type: "http", url: "http://127.0.0.1:9/none" }, destination: { type: "dataset" } },
  });
}

/**
 * A job of a new user that reads the paginated items the fixture server answers at `url`, tried
 * once unless `extra` says otherwise, and an API token of that user.
 */
export async function httpJobOf(url: string, extra: Record<string, unknown> = {}) {
  const { user, workspace } = await createUser();
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: `Job ${new URL(url).pathname}`,
    definition: {
      source: { type: "http", url, recordsPath: "data.items", pagination: { type: "next_url", nextUrlPath: "links.next" } },
      retry: { attempts: 1, backoffSeconds: 1 },
      ...extra,
    },
  });
  return { job, token: await apiToken(user.id) };
}

/** Records a pending run of the job and enqueues it, as the trigger endpoint does. */
export async function triggerJob(job: Awaited<ReturnType<typeof createJob>>) {
  const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
  await enqueueRun(run.id, job.definition.retry);
  return run;
}

export async function logMessages(runId: string): Promise<string[]> {
  const { rows } = await listRunLogs(db, { runId, page: 1, pageSize: 1000 });
  return rows.map((line) => line.message);
}

export async function datasetOf(jobId: string) {
  const [row] = await db.select().from(datasets).where(eq(datasets.jobId, jobId));
  return row;
}
