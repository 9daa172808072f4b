import "server-only";
import { sql } from "@/lib/db/client";
import { env } from "@/lib/env";

/** Rows deleted per statement, so pruning a large backlog never holds long locks or one huge transaction. */
const BATCH = 5000;

export type Pruned = { runLogs: number; runs: number };

/**
 * Deletes run log lines older than RUN_LOG_RETENTION_DAYS and finished runs (with their logs)
 * older than RUN_RETENTION_DAYS; 0 keeps them forever. A run whose rows make up its job's
 * current dataset is kept, so the dataset's "last run" always resolves.
 */
export async function pruneRunHistory(): Promise<Pruned> {
  const pruned: Pruned = { runLogs: 0, runs: 0 };
  if (env.RUN_LOG_RETENTION_DAYS > 0) {
    pruned.runLogs = await inBatches(
      (limit) => sql`
        DELETE FROM run_logs WHERE id IN (
          SELECT id FROM run_logs WHERE ts < now() - make_interval(days => ${env.RUN_LOG_RETENTION_DAYS}) LIMIT ${limit})`,
    );
  }
  if (env.RUN_RETENTION_DAYS > 0) {
    pruned.runs = await inBatches(
      (limit) => sql`
        DELETE FROM runs WHERE id IN (
          SELECT r.id FROM runs r
          WHERE r.status IN ('success', 'failed', 'cancelled')
            AND r.finished_at < now() - make_interval(days => ${env.RUN_RETENTION_DAYS})
            AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.last_run_id = r.id)
          LIMIT ${limit})`,
    );
  }
  return pruned;
}

async function inBatches(remove: (limit: number) => Promise<{ count: number }>): Promise<number> {
  let total = 0;
  for (;;) {
    const { count } = await remove(BATCH);
    total += count;
    if (count < BATCH) return total;
  }
}
