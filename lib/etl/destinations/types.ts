import type { DatasetColumn } from "@/lib/db/schema";
import type { Sql } from "@/lib/db/client";
import type { Batch } from "@/lib/etl/transforms/apply";
import type { RunLogger } from "@/lib/etl/run-log";

/** `attemptId`: the attempt's fence, which names what the attempt leaves behind (its staging table). */
export type DestinationContext = { jobId: string; workspaceId: string; runId: string; attemptId: string; log: RunLogger };

/**
 * One attempt's load into a destination. Rows written before `commit` are invisible to readers;
 * `commit` makes them visible and calls `finalize` (which re-checks that the run was not cancelled
 * and marks it successful in the app's database) so that both happen, or neither.
 */
export interface DestinationLoad {
  readonly rowsWritten: number;
  readonly columnTypes: DatasetColumn[];
  write(batch: Batch): Promise<void>;
  commit(finalize: (tx: Sql) => Promise<void>): Promise<void>;
  abort(): Promise<void>;
}
