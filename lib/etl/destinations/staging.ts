import "server-only";
import type { Sql } from "@/lib/db/client";
import { qualified, stagingRunId, stagingTableName } from "@/lib/db/identifiers";
import { env } from "@/lib/env";

/** How long a drop waits for a table some attempt still holds; that one is left for the next sweep. */
const LOCK_TIMEOUT = "1s";

/**
 * Drops the dataset staging tables that no attempt can commit any more: those of finished or
 * deleted runs, and those of earlier attempts of running runs (a crashed worker's, or one that
 * lost the run). Only the current attempt's table, named after its fence, is kept. Pass a run id
 * to sweep that run's tables only. Returns the names dropped.
 */
export async function dropAbandonedStaging(sql: Sql, runId?: string): Promise<string[]> {
  const pattern = runId ? `stg\\_${runId.replace(/-/g, "")}%` : "stg\\_%";
  const tables = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${env.DATASET_SCHEMA} AND c.relkind = 'r' AND c.relname LIKE ${pattern}`;
  const owners = [...new Set(tables.map((t) => stagingRunId(t.name)).filter((id): id is string => id !== null))];
  if (owners.length === 0) return [];
  const live = await sql<{ id: string; fence: string }[]>`
    SELECT id, fence FROM runs WHERE id = ANY(${owners}::uuid[]) AND status = 'running' AND fence IS NOT NULL`;
  const keep = new Set(live.map((run) => stagingTableName(run.id, run.fence)));
  const dropped: string[] = [];
  for (const { name } of tables) {
    if (keep.has(name) || stagingRunId(name) === null) continue;
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
        await tx.unsafe(`DROP TABLE IF EXISTS ${qualified(env.DATASET_SCHEMA, name)}`);
      });
      dropped.push(name);
    } catch (error) {
      if ((error as { code?: string }).code !== "55P03") throw error;
    }
  }
  return dropped;
}
