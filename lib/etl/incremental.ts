import "server-only";
import type { Db, Sql } from "@/lib/db/client";
import { getIncrementalCursor } from "@/lib/db/queries/incremental";
import type { Source } from "@/lib/schemas/jobs";
import type { RunLogger } from "./run-log";

export type IncrementalCursor = { column: string; value: string; numeric: boolean };

/**
 * An incremental source's position: where the last successful run stopped (`last`), and the
 * highest value this run has read so far. Sources read in the column's order, so the last non-null
 * value of each batch is the highest yet.
 */
export class IncrementalTracker {
  private highest: IncrementalCursor | null = null;

  constructor(
    readonly column: string,
    readonly last: IncrementalCursor | null,
  ) {}

  get reached(): IncrementalCursor | null {
    return this.highest;
  }

  /**
   * Notes the highest value of a batch of records, read in ascending order of the column.
   * `numericColumn` says what the database knows of the column's type; otherwise the values tell.
   */
  observe(records: readonly unknown[], numericColumn?: boolean): void {
    for (let i = records.length - 1; i >= 0; i--) {
      const value = (records[i] as Record<string, unknown>)[this.column];
      if (value === null || value === undefined) continue;
      const numeric = numericColumn ?? (typeof value === "number" || typeof value === "bigint");
      this.highest = { column: this.column, value: typeof value === "object" ? JSON.stringify(value) : String(value), numeric };
      return;
    }
  }
}

export type Incremental = {
  tracker: IncrementalTracker;
  /** Stores the highest value read, inside the transaction that marks the run successful. */
  save(tx: Sql, runId: string): Promise<void>;
};

/** Loads the job's stored position for an incremental database source; undefined for any other source. */
export async function openIncremental(db: Db, jobId: string, source: Source, log: RunLogger): Promise<Incremental | undefined> {
  if ((source.type !== "postgres" && source.type !== "mysql") || !source.incremental) return undefined;
  const column = source.incremental.column;
  const stored = await getIncrementalCursor(db, jobId);
  let last: IncrementalCursor | null = null;
  if (stored?.column === column) {
    last = { column, value: stored.value, numeric: stored.numeric };
    await log("info", `Incremental: reading rows where "${column}" > ${stored.value}, the highest value loaded so far.`);
  } else if (stored) {
    await log("warn", `The incremental column changed from "${stored.column}" to "${column}": reading all rows.`);
  } else {
    await log("info", `Incremental: no earlier successful run, reading all rows in the order of "${column}".`);
  }
  const tracker = new IncrementalTracker(column, last);
  return {
    tracker,
    async save(tx, runId) {
      const reached = tracker.reached;
      if (!reached) return;
      await tx`
        INSERT INTO incremental_cursors (job_id, "column", value, numeric, run_id, updated_at)
        VALUES (${jobId}, ${reached.column}, ${reached.value}, ${reached.numeric}, ${runId}, now())
        ON CONFLICT (job_id) DO UPDATE SET
          "column" = excluded."column", value = excluded.value, numeric = excluded.numeric,
          run_id = excluded.run_id, updated_at = excluded.updated_at`;
    },
  };
}

/** A user's query without the trailing semicolons that would break wrapping it as a subquery. */
export function bareQuery(query: string): string {
  return query.replace(/[\s;]+$/, "");
}
