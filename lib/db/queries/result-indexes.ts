import "server-only";
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Sql } from "@/lib/db/client";
import { qualified, quoteIdent } from "@/lib/db/identifiers";
import { logger } from "@/lib/logger";
import { orderKeys, type ResultSort } from "./result-seek";

/** Below this many rows a page reads the whole table in a few milliseconds: no index is worth its upkeep. */
export const PAGE_INDEX_MIN_ROWS = 20_000;

/** At most this many indexes are built for reading one dataset table: each costs space and slows appends. */
export const MAX_PAGE_INDEXES = 6;

/**
 * By table version and index: those needing nothing more (valid, not to be built past the cap, or
 * whose build failed: retried when the table changes, not on every request); and the builds this
 * process is running.
 */
const settled = new LRUCache<string, true>({ max: 10_000 });
const building = new Set<string>();

/**
 * What a page's rows are found by: columns the request filters to one value (`eq`) and its sort.
 * Leading with the equality columns lets an index hand over exactly the matching rows in order.
 */
export type PageAccess = { equals: string[]; sort?: ResultSort };

/**
 * Makes sure a btree index fits a page request: the columns it filters for equality, then the
 * keys of its order (lib/db/queries/result-seek.ts), so its pages — the first, by OFFSET, and
 * every `next` one, by seeking — read only the rows they return, however few rows the filter
 * keeps. Indexes are built on first use rather than at load time: a dataset is filtered and
 * sorted by few of its columns, if any, and an index per column would slow every load and double
 * the table's size; past MAX_PAGE_INDEXES per table, requests do without. The build runs in the
 * background (CREATE INDEX CONCURRENTLY: readers and loads go on); requests until it is ready
 * are answered without it. `version` names the table's generation (a replace swaps in a new
 * table with no indexes), so a rebuilt table is checked again.
 */
export async function ensurePageIndex(sql: Sql, table: { schema: string; name: string; version: string; rows: number }, access: PageAccess): Promise<void> {
  const { sort } = access;
  // A column the order already leads with needs no place before it: the sort's, or without a
  // sort _run_id, which the dataset's unique row index leads with.
  const leading = sort ? sort.column : "_run_id";
  const equals = [...new Set(access.equals)].filter((column) => column !== leading).sort();
  if (table.rows < PAGE_INDEX_MIN_ROWS || (!sort && equals.length === 0)) return;
  const key = `${table.schema}.${table.name}@${table.version}/${JSON.stringify([equals, sort ?? null])}`;
  if (settled.has(key) || building.has(key)) return;
  const index = indexName(table.name, equals, sort);
  if ((await pageIndexes(sql, table)).some((i) => i.name === index && i.valid)) {
    settled.set(key, true);
    return;
  }
  building.add(key);
  void (async () => {
    // One build per table at a time across every web process, so that the cap holds: the others
    // skip theirs while the lock is held, and a later request asks again.
    const lockKey = `${table.schema}.${table.name}`;
    const connection = await sql.reserve();
    try {
      const [lock] = await connection<{ got: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${lockKey})) AS got`;
      if (!lock?.got) return;
      try {
        const existing = await pageIndexes(connection as unknown as Sql, table);
        // Under the lock no build runs: an invalid page index is what a failed or interrupted one
        // left behind, kept forever and counted against the cap otherwise.
        for (const leftover of existing.filter((i) => !i.valid)) {
          await connection.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified(table.schema, leftover.name)}`);
        }
        const valid = existing.filter((i) => i.valid);
        if (!valid.some((i) => i.name === index) && valid.length < MAX_PAGE_INDEXES) {
          const keys = [...equals.map(quoteIdent), orderKeys(sort)].join(", ");
          await connection.unsafe(`CREATE INDEX CONCURRENTLY ${quoteIdent(index)} ON ${qualified(table.schema, table.name)} (${keys})`);
        }
        settled.set(key, true);
      } finally {
        await connection`SELECT pg_advisory_unlock(hashtext(${lockKey}))`;
      }
    } finally {
      connection.release();
    }
  })()
    .catch((error) => {
      settled.set(key, true);
      logger.warn({ err: error, table: table.name, index }, "building a results page index failed; such pages stay unindexed");
    })
    .finally(() => building.delete(key));
}

const INDEX_INFIX = "_sort_";

/** Sort-only indexes keep the names they had before equality columns joined them. */
function indexName(table: string, equals: string[], sort: ResultSort | undefined): string {
  const order = sort ? `${sort.column}\u0000${sort.desc}` : "";
  const identity = equals.length ? `${order}\u0000${equals.join("\u0000")}` : order;
  return `${table.slice(0, 40)}${INDEX_INFIX}${createHash("sha1").update(identity).digest("hex").slice(0, 12)}`;
}

/** The page indexes on a dataset table; an invalid one is a build that failed or is running. */
export async function pageIndexes(sql: Sql, table: { schema: string; name: string }): Promise<{ name: string; valid: boolean }[]> {
  return sql<{ name: string; valid: boolean }[]>`
    SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = to_regclass(${qualified(table.schema, table.name)}) AND starts_with(c.relname, ${`${table.name.slice(0, 40)}${INDEX_INFIX}`})
    ORDER BY c.relname`;
}
