import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extract } from "@/lib/etl/sources";
import { BATCH_ROWS } from "@/lib/etl/sources/database-reading";
import { ColumnPage, pageRecords, type SourcePage } from "@/lib/etl/sources/page";
import { sourceSchema } from "@/lib/schemas/jobs";
import { createUser, resetDatabase } from "../db";
import { createPostgresDatabase, saveConnection, type ExternalPostgres } from "../external-databases";

/**
 * The PostgreSQL source reads most queries through COPY into column pages. Each page must hold
 * exactly what the cursor gives for the same query: the reference here is the same query with one
 * more column of a type COPY is not used for (a point), which sends it through the cursor.
 */

let pg: ExternalPostgres;
let workspaceId: string;
let connectionId: string;

const FORCE_CURSOR = ", point(0, 0) AS forced";

beforeAll(async () => {
  pg = await createPostgresDatabase("copy");
  await resetDatabase();
  const { user, workspace } = await createUser();
  workspaceId = workspace.id;
  connectionId = (await saveConnection({ workspaceId, userId: user.id, name: "pg", config: pg.config })).id;
  await pg.sql.unsafe(`
    CREATE TABLE every_type (
      id int4 PRIMARY KEY, flag bool, bytes bytea, letter "char", ident name, big int8, small int2, body text,
      object_id oid, doc json, markup xml, network cidr, single float4, double float8, mac8 macaddr8, price money,
      mac macaddr, address inet, padded bpchar(6), label varchar(40), day date, clock time, stamp timestamp,
      stamp_tz timestamptz, span interval, clock_tz timetz, bits bit(4), varbits varbit, amount numeric, uid uuid, docb jsonb)`);
  await pg.sql.unsafe(String.raw`
    INSERT INTO every_type (id) VALUES (1);
    INSERT INTO every_type (id, bytes, letter, ident, body, doc, markup, padded, label, varbits, docb)
      VALUES (2, '\x', '', '', '', '""', '', '', '', '', '[]');
    INSERT INTO every_type VALUES (
      3, true, '\x005c0a09ff', '\', E'a\tb', 9007199254740993, -32768,
      E'tab\there, new line\nand\r\\back\\slash \\N \\. \b\f\x0b\x01 😀 éàü 名前', 4294967295,
      E'[1, 2.5, "x\\ty", "\\u00e9", []]', E'<a b="1">x&amp;y\n😀</a>', '10.1.0.0/16', 'NaN', 'Infinity', '08:00:2b:01:02:03:04:05', 1234567.89,
      '08:00:2b:01:02:03', '::ffff:10.1.2.3', 'é  ', E'\\N', '0044-03-15 BC', '23:59:59.999999', '2024-02-29 23:59:59.999999',
      '2024-01-01 10:00:00.123456+05:30', '1 year 2 mons 3 days 04:05:06.789', '10:00:00.5-03:30', B'1010', B'101',
      12345678901234567890.123456789, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"\\\\ \t"');
    INSERT INTO every_type (id, big, single, double, amount, day, stamp, stamp_tz, docb)
      VALUES (4, -9223372036854775808, '-Infinity', '-0', 'NaN', 'infinity', '-infinity', '2024-06-30 23:59:59.5-07', '-0');
    INSERT INTO every_type (id, big, single, double, amount, small, docb)
      VALUES (5, 9223372036854775807, 3.4e38, 5e-324, '-0.000', 32767, '12345678901234567890');
    INSERT INTO every_type (id, big, double, amount, docb) VALUES (6, 1, 0.1, 'Infinity', 'null'), (7, -1, -1.5e300, 0.1, 'true');
    -- Past id 20,000 the json values are objects.
    INSERT INTO every_type
      SELECT g, g % 3 = 0, decode(md5(g::text), 'hex'), chr(65 + g % 26), 'n' || g, g::int8 * 1000003, g % 30000,
        'row ' || g || repeat(E'\té', g % 3), g, CASE WHEN g > 20000 THEN json_build_object('n', g, 'nested', json_build_object('t', E'a\tb')) ELSE to_json(g) END,
        ('<r>' || g || '</r>')::xml, '10.0.0.0/8', g / 7.0, g / 3.0, '08:00:2b:01:02:03:04:05', g::numeric, '08:00:2b:01:02:03', '10.0.0.1',
        'p' || g % 10, 'l' || g, '2024-01-01'::date + g % 400, '12:00'::time + g * interval '1 microsecond',
        '2024-01-01'::timestamp + g * interval '1.000001 second', '2024-01-01 00:00:00+02'::timestamptz + g * interval '1.000001 second',
        g * interval '1 minute', '10:00+01'::timetz, B'0101', B'11', g / 1000.0, md5(g::text)::uuid,
        CASE WHEN g > 20000 THEN jsonb_build_object('g', g, 'deep', jsonb_build_object('list', jsonb_build_array(g, 'é'))) ELSE to_jsonb('v' || g) END
      FROM generate_series(8, 25000) g`);
});

afterAll(async () => {
  await pg?.drop();
});

async function read(query: string, options: { timeoutMs?: number; sampleOnly?: boolean; signal?: AbortSignal } = {}) {
  const source = sourceSchema.parse({ type: "postgres", connectionId, query, timeoutMs: options.timeoutMs });
  const log: string[] = [];
  const pages: SourcePage[] = [];
  const ctx = { signal: options.signal ?? AbortSignal.timeout(30_000), log: async (_: string, message: string) => void log.push(message), workspaceId, sampleOnly: options.sampleOnly ?? false };
  for await (const page of extract(source, ctx)) pages.push(page);
  return { pages, log };
}

/** Records with every value's type in the text, so that 1 and "1", NaN, -0 and 0, and the keys' order all tell. */
function fingerprint(records: unknown[]): string {
  return JSON.stringify(records, (_key, value: unknown) =>
    typeof value === "number" ? `number ${Object.is(value, -0) ? "-0" : value}` : typeof value === "string" ? `string ${value}` : value,
  );
}

const withoutForced = (records: unknown[]) => records.map((record) => Object.fromEntries(Object.entries(record as object).filter(([key]) => key !== "forced")));

/** Fails the test unless both reads give the same pages of the same records, in the same order. */
function expectSamePages(copied: SourcePage[], cursor: SourcePage[]) {
  expect(copied.map((page) => page.length)).toEqual(cursor.map((page) => page.length));
  copied.forEach((page, i) => {
    const expected = withoutForced(pageRecords(cursor[i]!));
    expect(pageRecords(page)).toStrictEqual(expected);
    expect(fingerprint(pageRecords(page))).toBe(fingerprint(expected));
  });
}

describe("reading a PostgreSQL query through COPY", () => {
  it("gives every supported type exactly as the cursor does, page by page", async () => {
    const query = "SELECT * FROM every_type ORDER BY id";
    const copied = await read(query);
    const cursor = await read(query.replace(" FROM", `${FORCE_CURSOR} FROM`));
    // Pages of BATCH_ROWS rows, column by column, json objects (past id 20,000) included.
    const pages = Math.ceil(25_000 / BATCH_ROWS);
    expect(copied.pages.map((page) => page instanceof ColumnPage)).toEqual(Array.from({ length: pages }, () => true));
    expect(cursor.pages.map((page) => page instanceof ColumnPage)).toEqual(Array.from({ length: pages }, () => false));
    expectSamePages(copied.pages, cursor.pages);
    expect(copied.log).toEqual([`Querying PostgreSQL database "${pg.name}" on 127.0.0.1:5432 as postgres.`, "Read 25000 rows from the query."]);
    expect(cursor.log).toEqual(copied.log);

    // A few values spelled out, so that a change in both readers cannot pass unseen.
    const [nulls, empty, text, low, high] = pageRecords(copied.pages[0]!) as Record<string, unknown>[];
    expect(Object.values(nulls!).filter((value) => value !== null)).toEqual([1]);
    expect(empty).toMatchObject({ bytes: "\\x", letter: "", body: "", doc: "", padded: "      ", label: "", docb: [] });
    expect(text).toMatchObject({
      bytes: "\\x005c0a09ff",
      letter: "\\",
      ident: "a\tb",
      big: "9007199254740993",
      body: "tab\there, new line\nand\r\\back\\slash \\N \\. \b\f\v\x01 😀 éàü 名前",
      doc: [1, 2.5, "x\ty", "é", []],
      single: NaN,
      double: Infinity,
      label: "\\N",
      day: "0044-03-15 BC",
      stamp: "2024-02-29 23:59:59.999999",
      stamp_tz: "2024-01-01 04:30:00.123456+00",
      clock_tz: "10:00:00.5-03:30",
      amount: "12345678901234567890.123456789",
      docb: "\\\\ \t",
    });
    expect(low).toMatchObject({ big: "-9223372036854775808", single: -Infinity, double: -0, amount: "NaN", day: "infinity" });
    expect(high).toMatchObject({ big: "9223372036854775807", double: 5e-324, amount: 0, small: 32767, docb: 12345678901234567000 });
  });

  it("names integer-like columns as the cursor's records do, and refuses a repeated name either way", async () => {
    const query = 'SELECT id AS a, body AS b, 7 AS "1", big AS "2" FROM every_type WHERE id <= 12000 ORDER BY id';
    const copied = await read(query);
    const cursor = await read(query.replace(" FROM", `${FORCE_CURSOR} FROM`));
    expect(copied.pages[0]).toBeInstanceOf(ColumnPage);
    expect((copied.pages[0] as ColumnPage).names).toEqual(["1", "2", "a", "b"]);
    expectSamePages(copied.pages, cursor.pages);

    const repeated = "SELECT id AS a, id * 2 AS a FROM every_type";
    for (const text of [repeated, repeated.replace(" FROM", `${FORCE_CURSOR} FROM`)]) {
      await expect(read(text)).rejects.toThrow('The query returns more than one column named "a"; give them distinct names with AS.');
    }
  });

  it("leaves a query with any other type to the cursor, which reads it as before", async () => {
    const { pages, log } = await read("SELECT id, ARRAY[id, id + 1] AS ints, point(id, 2) AS p, 'open'::text AS note FROM every_type WHERE id <= 2 ORDER BY id");
    expect(pages).toEqual([
      [
        { id: 1, ints: [1, 2], p: "(1,2)", note: "open" },
        { id: 2, ints: [2, 3], p: "(2,2)", note: "open" },
      ],
    ]);
    expect(log[1]).toBe("Read 2 rows from the query.");
    // COPY's parentheses cannot hold a semicolon that ends the query before a comment.
    expect((await read("SELECT 1 AS one; -- the end")).pages).toEqual([[{ one: 1 }]]);
  });

  it("fails as the cursor does: a syntax error, an error after the first page, a statement timeout", async () => {
    const failure = (query: string, options: Parameters<typeof read>[1] = {}) =>
      read(query, options).then(
        () => "no error",
        (error: Error) => error.message,
      );
    // A preview's sample goes through the cursor whatever the query.
    expect(await failure("SELECT 1 +")).toBe("PostgreSQL error 42601: syntax error at end of input");
    expect(await failure("SELECT 1 +", { sampleOnly: true })).toBe("PostgreSQL error 42601: syntax error at end of input");

    // An error in the first row reaches the reader with the start of the output, not as an uncaught exception.
    expect(await failure("SELECT 1 / (g - 1) AS x FROM generate_series(1, 3) g")).toBe("PostgreSQL error 22012: division by zero");
    const late = "SELECT g, 1 / (g - 15000) AS x FROM generate_series(1, 20000) g";
    expect(await failure(late)).toBe("PostgreSQL error 22012: division by zero");
    expect(await failure(late.replace(" FROM", `${FORCE_CURSOR} FROM`))).toBe("PostgreSQL error 22012: division by zero");

    const slow = "SELECT g, CASE WHEN g = 15000 THEN pg_sleep(3)::text END AS slept FROM generate_series(1, 20000) g";
    const timedOut = "PostgreSQL error 57014: canceling statement due to statement timeout";
    expect(await failure(slow, { timeoutMs: 1000 })).toBe(timedOut);
    expect(await failure(slow.replace(" FROM", `${FORCE_CURSOR} FROM`), { timeoutMs: 1000 })).toBe(timedOut);
  });

  it("stops the server's statement when the run is cancelled", async () => {
    const sessions = async () =>
      (await pg.sql`SELECT 1 FROM pg_stat_activity WHERE datname = ${pg.name} AND application_name = 'dataflowhub' AND query LIKE 'COPY%'`).length;
    const cancel = new AbortController();
    const reading = read("SELECT pg_sleep(60)::text AS slept", { signal: cancel.signal });
    reading.catch(() => undefined);
    for (let i = 0; i < 100 && (await sessions()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sessions()).toBe(1);
    const started = Date.now();
    cancel.abort();
    await expect(reading).rejects.toThrow();
    for (let i = 0; i < 40 && (await sessions()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sessions()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
