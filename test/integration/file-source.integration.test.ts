import { randomBytes } from "node:crypto";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { datasetTableName } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { db, sql } from "@/lib/db/client";
import { ensurePageIndex, pageIndexes, PAGE_INDEX_MIN_ROWS } from "@/lib/db/queries/result-indexes";
import { getRun, insertRun } from "@/lib/db/queries/runs";
import { executeRun } from "@/lib/etl/run";
import { claimRun } from "@/lib/db/queries/run-attempts";
import { qualified } from "@/lib/db/identifiers";
import { createUser, datasetRows, datasetRunIds, datasetSchemaTables, resetDatabase, resetQueue, tableColumns } from "../db";
import { claimed, startRunsWorker, waitForRun } from "../worker";
import { uploadOk, setJobSource } from "./file-helpers";
import { createJob, datasetOf, logMessages, triggerJob } from "./jobs";

let worker: Awaited<ReturnType<typeof startRunsWorker>>;

beforeAll(async () => {
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
});

type Destination = { type: "dataset"; mode: "replace" | "append" | "upsert"; key?: string[] };

/** Uploads a file, defines a job reading it, runs it through the worker and returns the finished run. */
async function runFile(name: string, content: string | Uint8Array, source: Record<string, unknown>, destination?: Destination) {
  const { user, workspace } = await createUser();
  const fileId = await uploadOk(user.id, name, content);
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: `job ${name}`,
    definition: { source: { type: "file", fileId, ...source }, destination, retry: { attempts: 1, backoffSeconds: 1 } },
  });
  const run = await waitForRun((await triggerJob(job)).id);
  return { user, workspace, job, run, table: datasetTableName(job.id) };
}

/** Dataset rows as PostgreSQL renders them in JSON, without the bookkeeping columns, in load order or by a column. */
async function rowsOf(table: string, orderBy = "_row") {
  const rows = await sql.unsafe<{ row: Record<string, unknown> }[]>(
    `SELECT to_jsonb(t) - '_run_id' - '_row' AS row FROM ${qualified(env.DATASET_SCHEMA, table)} t ORDER BY ${orderBy}`,
  );
  return rows.map((r) => r.row);
}

/** Each row's key and which of the given runs last wrote it. */
async function writers(table: string, key: string, runIds: string[]) {
  const rows = await sql.unsafe<{ key: string; run: string }[]>(
    `SELECT ${key}::text AS key, _run_id::text AS run FROM ${qualified(env.DATASET_SCHEMA, table)} ORDER BY 1`,
  );
  return rows.map((r) => [r.key, runIds.indexOf(r.run) + 1]);
}

describe("CSV files", () => {
  it("parses quoted commas, doubled quotes, newlines inside fields and a UTF-8 BOM, typing each column", async () => {
    const csv =
      "\uFEFFid,name,amount,zip,active,joined\r\n" +
      '1,"Smith, John",10.5,02134,true,2024-01-02\r\n' +
      '2,"He said ""hi""",7,12345,false,\r\n' +
      '3,"two\nlines",-3,99999,TRUE,2024-02-03\r\n';
    const { run, table } = await runFile("people.csv", csv, { format: "csv" });
    expect(run).toMatchObject({ status: "success", rowsExtracted: 3, rowsLoaded: 3, errorMessage: null });
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toEqual({
      _run_id: "uuid",
      _row: "bigint",
      id: "bigint",
      name: "text",
      amount: "double precision",
      // A leading zero makes the whole column text: zip codes and IDs keep their digits.
      zip: "text",
      active: "boolean",
      joined: "date",
    });
    expect(await rowsOf(table)).toEqual([
      { id: 1, name: "Smith, John", amount: 10.5, zip: "02134", active: true, joined: "2024-01-02" },
      { id: 2, name: 'He said "hi"', amount: 7, zip: "12345", active: false, joined: null },
      { id: 3, name: "two\nlines", amount: -3, zip: "99999", active: true, joined: "2024-02-03" },
    ]);
  });

  // A run reads CSV in small batches after a first one as large as a preview's sample: a column's
  // type comes from as many rows as the preview showed, so a text value at row 1,500 keeps every
  // row's text as written instead of widening numbers already loaded.
  it("types a column from the rows a preview sees, however small the later batches", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i + 1},${i === 1499 ? "n/a" : "1.50"}`);
    const { run, table } = await runFile("prices.csv", `id,price\n${lines.join("\n")}\n`, { format: "csv" });
    expect(run).toMatchObject({ status: "success", rowsLoaded: 3000 });
    const rows = await rowsOf(table);
    expect(rows[0]).toEqual({ id: 1, price: "1.50" });
    expect(rows[1499]).toEqual({ id: 1500, price: "n/a" });
    expect(new Set(rows.map((row) => row.price))).toEqual(new Set(["1.50", "n/a"]));
    expect(await logMessages(run.id)).not.toContainEqual(expect.stringMatching(/widened/));
  });

  it("reads a semicolon-delimited latin1 file, skipping a title line", async () => {
    const csv = Buffer.from("Export of 2024\ncity;population;capital\nZürich;421878;false\nSão Paulo;12325232;false\nBern;134591;true\n", "latin1");
    const { run, table } = await runFile("cities.csv", csv, { format: "csv", delimiter: ";", encoding: "latin1", skipRows: 1 });
    expect(run.status).toBe("success");
    expect(await rowsOf(table)).toEqual([
      { city: "Zürich", population: 421878, capital: false },
      { city: "São Paulo", population: 12325232, capital: false },
      { city: "Bern", population: 134591, capital: true },
    ]);
  });

  it("names columns itself without a header row and tells a latin1 file read as UTF-8 apart", async () => {
    const { run, table } = await runFile("plain.csv", "a,1\nb,2\n", { format: "csv", header: false });
    expect(run.status).toBe("success");
    expect(await rowsOf(table)).toEqual([
      { column_1: "a", column_2: 1 },
      { column_1: "b", column_2: 2 },
    ]);

    const latin1 = await runFile("latin.csv", Buffer.from("city\nZürich\n", "latin1"), { format: "csv" });
    expect(latin1.run.status).toBe("failed");
    expect(latin1.run.errorMessage).toBe(
      // "city\nZ" is 6 bytes: the ü, 0xFC in latin1, is the 7th.
      "The file is not valid utf-8 text near byte 6; set the source's encoding (e.g. latin1 or windows-1252).",
    );
  });
});

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const summary = book.addWorksheet("Summary");
  summary.addRow(["Total", 3]);
  const orders = book.addWorksheet("Orders");
  orders.addRow(["Orders exported from the shop"]);
  orders.addRow(["id", "customer", "amount", "paid", "ordered", "code"]);
  orders.addRow([1, "Ada", 10.5, true, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), "007"]);
  orders.addRow([2, { richText: [{ text: "Bo" }, { text: "b" }] }, { formula: "C3*2", result: 21 }, false, new Date(Date.UTC(2024, 0, 3)), "008"]);
  orders.addRow([]);
  orders.addRow([3, "Cy", 7, null, null, "010"]);
  book.addWorksheet("Empty");
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe("Excel workbooks", () => {
  it("reads the named sheet of several, from its header row, keeping cell types", async () => {
    const { run, table } = await runFile("shop.xlsx", await workbook(), { format: "xlsx", sheet: "Orders", headerRow: 2 });
    expect(run).toMatchObject({ status: "success", rowsLoaded: 3 });
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toMatchObject({
      id: "bigint",
      customer: "text",
      amount: "double precision",
      paid: "boolean",
      ordered: "timestamp with time zone",
      code: "text",
    });
    expect(await rowsOf(table)).toEqual([
      { id: 1, customer: "Ada", amount: 10.5, paid: true, ordered: "2024-01-02T03:04:05+00:00", code: "007" },
      { id: 2, customer: "Bob", amount: 21, paid: false, ordered: "2024-01-03T00:00:00+00:00", code: "008" },
      { id: 3, customer: "Cy", amount: 7, paid: null, ordered: null, code: "010" },
    ]);
  });

  it("picks a sheet by its position and names a missing one", async () => {
    const first = await runFile("book.xlsx", await workbook(), { format: "xlsx", sheet: 0, headerRow: 0 });
    expect(first.run.status).toBe("success");
    expect(await rowsOf(first.table)).toEqual([{ A: "Total", B: 3 }]);

    const missing = await runFile("book2.xlsx", await workbook(), { format: "xlsx", sheet: "Invoices" });
    expect(missing.run.status).toBe("failed");
    expect(missing.run.errorMessage).toBe('The workbook has no worksheet "Invoices"; it has "Summary", "Orders", "Empty".');
  });
});

describe("JSON and NDJSON files", () => {
  it("streams a top-level array", async () => {
    const json = JSON.stringify([{ id: 1, tags: ["a"], nested: { x: 1 } }, { id: 2, tags: [], nested: null }]);
    const { run, table } = await runFile("items.json", json, { format: "json" });
    expect(run.status).toBe("success");
    expect(await rowsOf(table)).toEqual([
      { id: 1, tags: ["a"], nested: { x: 1 } },
      { id: 2, tags: [], nested: null },
    ]);
  });

  it("streams the array at recordsPath, ignoring the rest of the document", async () => {
    const json = JSON.stringify({ meta: { items: "not these" }, data: { items: [{ sku: "A-1", qty: 2 }, { sku: "B-2", qty: 5 }] } });
    const { run, table } = await runFile("export.json", json, { format: "json", recordsPath: "data.items" });
    expect(run.status).toBe("success");
    expect(await rowsOf(table)).toEqual([
      { sku: "A-1", qty: 2 },
      { sku: "B-2", qty: 5 },
    ]);

    const wrong = await runFile("export2.json", json, { format: "json", recordsPath: "data.missing" });
    expect(wrong.run.errorMessage).toBe('recordsPath "data.missing" does not exist in the file.');
  });

  it("reads NDJSON line by line, skipping blank lines", async () => {
    const { run, table } = await runFile("events.ndjson", '{"n":1,"kind":"a"}\n\n{"n":2,"kind":"b"}\n{"n":3}', { format: "ndjson" });
    expect(run.status).toBe("success");
    expect(await rowsOf(table)).toEqual([
      { n: 1, kind: "a" },
      { n: 2, kind: "b" },
      { n: 3, kind: null },
    ]);
  });
});

describe("malformed files", () => {
  async function failAfterGoodRun(good: string, bad: string | Uint8Array, name: string, source: Record<string, unknown>) {
    const first = await runFile("good.csv", good, { format: "csv" });
    expect(first.run.status).toBe("success");
    const before = await datasetRows(first.table);
    const fileId = await uploadOk(first.user.id, name, bad);
    const job = await setJobSource(first.job.id, { type: "file", fileId, ...source });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run.status).toBe("failed");
    // Nothing of the failed run reached the dataset: it is exactly what the good run loaded.
    expect(await datasetRows(first.table)).toEqual(before);
    expect(await datasetRunIds(first.table)).toEqual([first.run.id]);
    return run;
  }

  it("fails a CSV with an unclosed quote, naming the line", async () => {
    const run = await failAfterGoodRun("id\n1\n", 'id,name\n1,"ok"\n2,"never closed\n3,x\n', "bad.csv", { format: "csv" });
    expect(run.errorStage).toBe("extract");
    expect(run.errorMessage).toBe("The CSV file is malformed: Quote Not Closed: the parsing is finished with an opening quote at line 4. Nothing was loaded.");
  });

  it("fails a CSV row with too many fields, naming the line", async () => {
    const run = await failAfterGoodRun("id\n1\n", "id,name\n1,a\n2,b,extra\n", "ragged.csv", { format: "csv" });
    expect(run.errorMessage).toBe(
      "The CSV file is malformed: Invalid Record Length: expect 2, got 3 on line 3. Nothing was loaded.",
    );
  });

  it("fails malformed JSON, naming line and column", async () => {
    const run = await failAfterGoodRun("id\n1\n", '[\n  {"id": 1},\n  {"id": 2,, }\n]', "bad.json", { format: "json" });
    expect(run.errorMessage).toMatch(/^The JSON file is malformed at line 3, column 12: /);
  });

  it("fails malformed NDJSON, naming the line", async () => {
    const run = await failAfterGoodRun("id\n1\n", '{"id":1}\n{"id":2\n', "bad.ndjson", { format: "ndjson" });
    expect(run.errorMessage).toMatch(/^The NDJSON file is malformed at line 2: /);
  });

  it("fails a truncated workbook", async () => {
    const book = await workbook();
    const run = await failAfterGoodRun("id\n1\n", book.subarray(0, Math.floor(book.length / 2)), "cut.xlsx", { format: "xlsx", sheet: "Orders" });
    expect(run.errorMessage).toMatch(/^The \.xlsx file (is not a readable workbook|cannot be read): /);
  });
});

describe("dataset modes", () => {
  it("appends each run's rows, logging schema drift when new columns appear", async () => {
    const first = await runFile("a.csv", "id,name\n1,a\n2,b\n", { format: "csv" }, { type: "dataset", mode: "append" });
    expect(first.run.status).toBe("success");
    const fileId = await uploadOk(first.user.id, "b.csv", "id,name,email\n3,c,c@example.com\n");
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second.status).toBe("success");

    expect(await rowsOf(first.table, "id")).toEqual([
      { id: 1, name: "a", email: null },
      { id: 2, name: "b", email: null },
      { id: 3, name: "c", email: "c@example.com" },
    ]);
    expect(await datasetOf(first.job.id)).toMatchObject({
      rowCount: 3,
      lastRunId: second.id,
      columns: [
        { name: "id", type: "integer" },
        { name: "name", type: "string" },
        { name: "email", type: "string" },
      ],
    });
    const log = await logMessages(second.id);
    expect(log).toContain('Schema drift: new column "email" (string) added.');
    expect(log).toContain("Appended 1 rows; the dataset now holds 3.");
  });

  it.each<Destination>([
    { type: "dataset", mode: "append" },
    { type: "dataset", mode: "upsert", key: ["id"] },
  ])("writes a value too large for a results page index ($mode), dropping the index instead of failing the run", async (destination) => {
    const first = await runFile("big.csv", "id,name\n1,a\n", { format: "csv" }, destination);
    const table = { schema: env.DATASET_SCHEMA, name: first.table };
    await ensurePageIndex(sql, { ...table, version: "v1", rows: PAGE_INDEX_MIN_ROWS }, { equals: ["name"], sort: { column: "id", desc: false } });
    // Listed from the moment its build starts: the load must come after the build has ended.
    const built = async () => (await pageIndexes(sql, table)).filter((index) => index.valid).length;
    for (let i = 0; i < 200 && (await built()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await built()).toBe(1);

    const huge = randomBytes(6000).toString("base64");
    const fileId = await uploadOk(first.user.id, "big2.csv", `id,name\n2,${huge}\n`);
    const run = await waitForRun((await triggerJob(await setJobSource(first.job.id, { type: "file", fileId, format: "csv" }))).id);
    expect(run).toMatchObject({ status: "success", errorMessage: null });
    expect(await rowsOf(first.table, "id")).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: huge },
    ]);
    expect(await pageIndexes(sql, table)).toEqual([]);
    expect(await logMessages(run.id)).toContain("A value was too large for the indexes that speed up results pages; they were dropped, and pages rebuild those they need.");
  });

  it("fails a run whose values conflict with the dataset's column type, changing nothing", async () => {
    const first = await runFile("n.csv", "id,amount\n1,10\n", { format: "csv" }, { type: "dataset", mode: "append" });
    const fileId = await uploadOk(first.user.id, "m.csv", "id,amount\n2,ten\n");
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", errorStage: "load" });
    expect(run.errorMessage).toBe(
      'Type conflict with the existing dataset: column "amount" is integer in the dataset but string in this run. Nothing was loaded. ' +
        "Add a cast step to convert the values, or run once in replace mode to redefine the dataset.",
    );
    expect(await rowsOf(first.table)).toEqual([{ id: 1, amount: 10 }]);
  });

  it("widens a dataset column when a later run needs it, and stores narrower values as they are", async () => {
    const first = await runFile("w.csv", "id,amount,note\n1,10,x\n", { format: "csv" }, { type: "dataset", mode: "append" });
    const fileId = await uploadOk(first.user.id, "w2.csv", "id,amount,note\n2,2.5,7\n");
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run.status).toBe("success");
    expect(await tableColumns(env.DATASET_SCHEMA, first.table)).toMatchObject({ amount: "double precision", note: "text" });
    expect(await rowsOf(first.table, "id")).toEqual([
      { id: 1, amount: 10, note: "x" },
      { id: 2, amount: 2.5, note: "7" },
    ]);
    expect(await logMessages(run.id)).toContain('Schema drift: column "amount" widened from integer to number.');
  });

  it("upserts by key: existing keys are updated, new ones inserted, and within a run the last row of a key wins", async () => {
    const upsert: Destination = { type: "dataset", mode: "upsert", key: ["sku"] };
    const first = await runFile("stock.csv", "sku,qty\nA,1\nB,2\nC,3\n", { format: "csv" }, upsert);
    expect(first.run.status).toBe("success");
    const fileId = await uploadOk(first.user.id, "stock2.csv", "sku,qty\nB,20\nD,4\nB,21\n");
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second.status).toBe("success");

    expect(await rowsOf(first.table, "sku")).toEqual([
      { sku: "A", qty: 1 },
      { sku: "B", qty: 21 },
      { sku: "C", qty: 3 },
      { sku: "D", qty: 4 },
    ]);
    expect(await writers(first.table, "sku", [first.run.id, second.id])).toEqual([
      ["A", 1],
      ["B", 2],
      ["C", 1],
      ["D", 2],
    ]);
    expect((await datasetOf(first.job.id))?.rowCount).toBe(4);
    const log = await logMessages(second.id);
    expect(log).toContain("1 rows repeated a key read earlier in this run; the last row of each key was kept.");
    expect(log).toContain("Upserted by sku: 1 rows inserted, 1 updated; the dataset now holds 4.");
  });

  it("fails an upsert whose rows lack the key", async () => {
    const { run } = await runFile("nokey.csv", "sku,qty\nA,1\n,2\n", { format: "csv" }, { type: "dataset", mode: "upsert", key: ["sku"] });
    expect(run.status).toBe("failed");
    expect(run.errorMessage).toBe("1 rows have no value for the key (sku); upsert needs a key in every row. Nothing was loaded.");
  });

  it("replaces the dataset and reports how its columns changed", async () => {
    const first = await runFile("r.csv", "id,old\n1,x\n", { format: "csv" });
    const fileId = await uploadOk(first.user.id, "r2.csv", "id,new\n2,y\n");
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(await rowsOf(first.table)).toEqual([{ id: 2, new: "y" }]);
    expect(await logMessages(run.id)).toContain('Schema drift: the replaced dataset\'s columns changed: added "new" (string); removed "old".');
  });
});

describe("retries", () => {
  it("a retried attempt of an append run loads its rows exactly once", async () => {
    const first = await runFile("base.csv", "id,val\n-1,0\n", { format: "csv" }, { type: "dataset", mode: "append" });
    const rows = 150_000;
    let csv = "id,val\n";
    for (let i = 1; i <= rows; i++) csv += `${i},${i * 2}\n`;
    const fileId = await uploadOk(first.user.id, "many.csv", csv);
    const job = await setJobSource(first.job.id, { type: "file", fileId, format: "csv" });
    const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });

    // Attempt 1 loses the file's second chunk mid-read: its first batches are already staged when it fails.
    const [chunk] = await sql<{ data: Buffer }[]>`DELETE FROM file_chunks WHERE file_id = ${fileId} AND seq = 1 RETURNING data`;
    const failed = await executeRun(run.id, await claimed(run.id, 1, 3));
    expect(failed).toMatchObject({ kind: "failed", stage: "extract", final: false });
    expect((await getRun(db, run.id))?.status).toBe("pending");
    expect(await logMessages(run.id)).toContain("Attempt 1 of 3 failed; the run will be retried.");
    expect(await datasetSchemaTables()).toEqual([first.table]);
    expect(await rowsOf(first.table)).toEqual([{ id: -1, val: 0 }]);

    await sql`INSERT INTO file_chunks (file_id, seq, data) VALUES (${fileId}, 1, ${chunk!.data})`;
    expect(await executeRun(run.id, await claimed(run.id, 2, 3))).toEqual({ kind: "success", rowsLoaded: rows });
    // A redelivery after the commit (a worker dying before acknowledging) finds the run finished and loads nothing.
    expect(await claimRun(db, run.id, 3)).toEqual({ kind: "finished", status: "success" });

    const [stats] = await sql.unsafe<{ total: number; distinct_rows: number; run_rows: number; sum: string }[]>(`
      SELECT count(*)::int AS total, count(DISTINCT (_run_id, _row))::int AS distinct_rows,
        count(*) FILTER (WHERE _run_id = '${run.id}')::int AS run_rows, sum(val)::text AS sum
      FROM ${qualified(env.DATASET_SCHEMA, first.table)}`);
    expect(stats).toEqual({ total: rows + 1, distinct_rows: rows + 1, run_rows: rows, sum: String(rows * (rows + 1)) });
    expect((await datasetOf(first.job.id))?.rowCount).toBe(rows + 1);
  }, 60_000);
});
