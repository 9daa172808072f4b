import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { datasets, runs } from "@/lib/db/schema";

export type DatasetRow = typeof datasets.$inferSelect;

const byJob = prepared((db) =>
  db.select().from(datasets).where(eq(datasets.jobId, sql.placeholder("jobId"))).limit(1).prepare("dataset_by_job"),
);

const runWithDataset = prepared((db) =>
  db
    .select({
      run: {
        id: runs.id,
        jobId: runs.jobId,
        workspaceId: runs.workspaceId,
        // Only the mode is needed of the definition snapshot, which may be large.
        replaces: sql<boolean>`${runs.definition}->'destination'->>'mode' = 'replace'`,
      },
      dataset: datasets,
    })
    .from(runs)
    .leftJoin(datasets, eq(datasets.jobId, runs.jobId))
    .where(eq(runs.id, sql.placeholder("runId")))
    .limit(1)
    .prepare("run_with_dataset"),
);

/** The job's dataset (its table, columns and version), undefined before its first successful load. */
export async function findDataset(db: Db, jobId: string): Promise<DatasetRow | undefined> {
  const [row] = await byJob(db).execute({ jobId });
  return row;
}

/** A run with its job's dataset, in one round trip: what every read of a run's results starts with. */
export async function findRunWithDataset(db: Db, runId: string) {
  const [row] = await runWithDataset(db).execute({ runId });
  return row && { run: row.run, dataset: row.dataset ?? undefined };
}
