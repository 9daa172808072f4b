import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { ensurePageIndex, MAX_PAGE_INDEXES, PAGE_INDEX_MIN_ROWS } from "@/lib/db/queries/result-indexes";
import { resetDatabase } from "../db";

const schema = env.DATASET_SCHEMA;
const rows = PAGE_INDEX_MIN_ROWS + 5_000;
let version = 0;
const table = () => ({ schema, name: "page_index_probe", version: `v${version}`, rows });

beforeEach(async () => {
  await resetDatabase();
  version += 1;
  await sql.unsafe(`
    CREATE TABLE ${schema}.page_index_probe AS
    SELECT gen_random_uuid() AS _run_id, g::bigint AS _row, (ARRAY['Lisbon', 'Paris', 'Oslo'])[1 + g % 3] AS city,
           g % 7 AS shop, (g * 7919 % 1000)::float8 AS amount, md5(g::text) AS name
    FROM generate_series(1, ${rows}) g`);
  await sql.unsafe(`ANALYZE ${schema}.page_index_probe`);
});

afterAll(async () => {
  await resetDatabase();
});

/** The definitions of the table's valid indexes, once no build is running any more. */
async function pageIndexes(): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const [building] = await sql`SELECT count(*)::int AS n FROM pg_stat_progress_create_index`;
    if (building!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const found = await sql<{ indexdef: string }[]>`
    SELECT pg_get_indexdef(indexrelid) AS indexdef FROM pg_index
    WHERE indrelid = ${`${schema}.page_index_probe`}::regclass AND indisvalid ORDER BY 1`;
  return found.map((r) => r.indexdef.replace(/^.* USING btree /, ""));
}

async function settle(access: Parameters<typeof ensurePageIndex>[2]) {
  await ensurePageIndex(sql, table(), access);
  // The build runs in the background: wait for it to start and end.
  for (let i = 0; i < 200 && (await pageIndexes()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("ensurePageIndex", () => {
  it("leads with the columns filtered for equality, then the sort's keys, and the planner reads a filtered page through it", async () => {
    await settle({ equals: ["city"], sort: { column: "amount", desc: true } });
    expect(await pageIndexes()).toEqual(["(city, amount DESC NULLS LAST, _run_id DESC, _row DESC)"]);
    const plan = await sql.unsafe(
      `EXPLAIN SELECT * FROM ${schema}.page_index_probe WHERE city = 'Oslo' ORDER BY amount DESC NULLS LAST, _run_id DESC, _row DESC LIMIT 51`,
    );
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index Scan using page_index_probe_sort_\w+/);
    expect(text).toMatch(/Index Cond: \(city = 'Oslo'::text\)/);
  });

  it("indexes equality filters without a sort in load order, one index per set of columns whatever their order", async () => {
    await settle({ equals: ["shop", "city", "city"] });
    await ensurePageIndex(sql, table(), { equals: ["city", "shop"] });
    expect(await pageIndexes()).toEqual(["(city, shop, _run_id, _row)"]);
  });

  it("builds nothing for small tables, requests with neither filter nor sort, or a run's rows in load order", async () => {
    await ensurePageIndex(sql, { ...table(), rows: PAGE_INDEX_MIN_ROWS - 1 }, { equals: ["city"] });
    await ensurePageIndex(sql, table(), { equals: [] });
    // The dataset's unique (_run_id, _row) index serves these.
    await ensurePageIndex(sql, table(), { equals: ["_run_id"] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await pageIndexes()).toEqual([]);
  });

  it(`stops at ${MAX_PAGE_INDEXES} indexes a table, not counting what a failed build left behind`, async () => {
    // A concurrent build that fails leaves an invalid index: this one on duplicate cities.
    await expect(sql.unsafe(`CREATE UNIQUE INDEX CONCURRENTLY page_index_probe_sort_leftover ON ${schema}.page_index_probe (city)`)).rejects.toThrow();
    const requests = [
      ...["city", "shop", "amount", "name", "_row"].map((column) => ({ equals: [column] })),
      { equals: ["city"], sort: { column: "amount", desc: true } },
      { equals: ["shop"], sort: { column: "name", desc: false } },
    ];
    for (const [i, access] of requests.entries()) {
      await ensurePageIndex(sql, table(), access);
      // The last request finds the cap reached: give its background check the time a build would need to start.
      await new Promise((resolve) => setTimeout(resolve, i === requests.length - 1 ? 500 : 0));
      for (let wait = 0; wait < 200 && (await pageIndexes()).length < Math.min(i + 1, MAX_PAGE_INDEXES); wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(await pageIndexes()).toHaveLength(MAX_PAGE_INDEXES);
    expect((await sql`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'page_index_probe_sort_leftover'`)[0]!.n).toBe(0);
  });
});
