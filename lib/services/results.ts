import "server-only";
import { eq } from "drizzle-orm";
import { db, sql } from "@/lib/db/client";
import { datasets } from "@/lib/db/schema";
import { readResults } from "@/lib/db/queries/results";
import { env } from "@/lib/env";
import { HttpError } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/principal";
import { parseFilters, resultsQuerySchema } from "@/lib/schemas/results";
import { loadJob } from "./jobs";
import { loadRun } from "./runs";

/** `replaces`: the run's mode swaps the whole dataset, so it holds that run's rows or none of them. */
type Scope = { jobId: string; runId?: string; replaces?: boolean };

async function queryDataset(url: URL, scope: Scope) {
  const options = resultsQuerySchema.parse(Object.fromEntries(url.searchParams));
  const [dataset] = await db.select().from(datasets).where(eq(datasets.jobId, scope.jobId)).limit(1);
  const paging = { page: options.page, pageSize: options.pageSize };
  if (!dataset) return { count: 0, results: [], columns: [], ...paging };
  if (scope.runId && scope.replaces && dataset.lastRunId !== scope.runId) {
    // In replace mode a later successful run swapped this run's rows out of the dataset.
    return { count: 0, results: [], columns: dataset.columns, ...paging };
  }
  const known = new Set(["_run_id", "_row", ...dataset.columns.map((c) => c.name)]);
  const unknown = (name: string) =>
    new HttpError(422, `Unknown column "${name}".`, [{ path: name, message: `available: ${[...known].join(", ")}` }]);
  const filters = parseFilters(url.searchParams);
  for (const filter of filters) if (!known.has(filter.column)) throw unknown(filter.column);
  const sort = options.sort ? { column: options.sort.replace(/^-/, ""), desc: options.sort.startsWith("-") } : undefined;
  if (sort && !known.has(sort.column)) throw unknown(sort.column);
  // Appended and upserted datasets mix runs: a run's rows must be counted, not taken from row_count.
  const unfiltered = filters.length === 0 && !options.q && (!scope.runId || scope.replaces === true);
  const page = await readResults(
    sql,
    {
      schema: env.DATASET_SCHEMA,
      table: dataset.tableName,
      columns: dataset.columns,
      runId: scope.runId,
      filters,
      q: options.q,
      sort,
      page: options.page,
      pageSize: options.pageSize,
    },
    unfiltered ? dataset.rowCount : undefined,
  );
  return { ...page, columns: dataset.columns, ...paging };
}

/** The rows a run loaded, while they are still the job's dataset. */
export async function runResults(principal: Principal, runId: string, url: URL) {
  const run = await loadRun(principal, runId, "runs:read");
  return queryDataset(url, { jobId: run.jobId, runId: run.id, replaces: run.definition.destination.mode === "replace" });
}

/** The job's current dataset. */
export async function jobData(principal: Principal, jobId: string, url: URL) {
  const job = await loadJob(principal, jobId, "jobs:read");
  return queryDataset(url, { jobId: job.id });
}
