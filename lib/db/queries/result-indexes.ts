import "server-only";
import { createHash } from "node:crypto";
import type { Sql } from "@/lib/db/client";
import { qualified, quoteIdent } from "@/lib/db/identifiers";
import { logger } from "@/lib/logger";
import { orderKeys, type ResultSort } from "./result-seek";

/** Below this many rows a sort reads the whole table in a few milliseconds: no index is worth its upkeep. */
export const SORT_INDEX_MIN_ROWS = 20_000;

/** Indexes known to be valid, by table version and name; and the builds this process is running. */
const ready = new Set<string>();
const building = new Set<string>();

/**
 * Makes sure a btree index with exactly the keys of this sort (lib/db/queries/result-seek.ts)
 * exists on a dataset table, so that its pages — the first, by OFFSET, and every `next` one, by
 * seeking — read only the rows they return. Indexes are built on first use rather than at load
 * time: a dataset is sorted by few of its columns, if any, and an index per column would slow
 * every load and double the table's size. The build runs in the background
 * (CREATE INDEX CONCURRENTLY: readers and loads go on); requests until it is ready are answered
 * without it. `version` names the table's generation (a replace swaps in a new table with no
 * indexes), so a rebuilt table is checked again.
 */
export async function ensureSortIndex(sql: Sql, table: { schema: string; name: string; version: string; rows: number }, sort: ResultSort): Promise<void> {
  if (table.rows < SORT_INDEX_MIN_ROWS) return;
  const index = `${table.name.slice(0, 40)}_sort_${createHash("sha1").update(`${sort.column}\u0000${sort.desc}`).digest("hex").slice(0, 12)}`;
  const key = `${table.schema}.${table.name}@${table.version}/${index}`;
  if (ready.has(key) || building.has(key)) return;
  if ((await indexState(sql, table.schema, index)) === "valid") {
    ready.add(key);
    return;
  }
  building.add(key);
  void (async () => {
    // One build per index across every web process: the others skip it while the lock is held.
    const connection = await sql.reserve();
    try {
      const [lock] = await connection<{ got: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${key})) AS got`;
      if (!lock?.got) return;
      try {
        const state = await indexState(connection as unknown as Sql, table.schema, index);
        // An invalid index is what an interrupted concurrent build leaves behind: it would be kept forever otherwise.
        if (state === "invalid") await connection.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified(table.schema, index)}`);
        if (state !== "valid") await connection.unsafe(`CREATE INDEX CONCURRENTLY ${quoteIdent(index)} ON ${qualified(table.schema, table.name)} (${orderKeys(sort)})`);
        ready.add(key);
      } finally {
        await connection`SELECT pg_advisory_unlock(hashtext(${key}))`;
      }
    } finally {
      connection.release();
    }
  })()
    .catch((error) => logger.warn({ err: error, table: table.name, index }, "building a results sort index failed; sorted pages stay unindexed"))
    .finally(() => building.delete(key));
}

async function indexState(sql: Sql, schema: string, index: string): Promise<"valid" | "invalid" | "missing"> {
  const [row] = await sql<{ valid: boolean }[]>`
    SELECT i.indisvalid AS valid FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid
    WHERE n.nspname = ${schema} AND c.relname = ${index}`;
  return row ? (row.valid ? "valid" : "invalid") : "missing";
}
