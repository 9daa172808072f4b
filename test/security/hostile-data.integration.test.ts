import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PATCH as patchConnectionRoute } from "@/app/api/v1/connections/[id]/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as previewRoute } from "@/app/api/v1/preview/route";
import { GET as resultsRoute } from "@/app/api/v1/runs/[id]/results/route";
import { GET as runRoute } from "@/app/api/v1/runs/[id]/route";
import { sql } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue, tableColumns } from "../db";
import { saveConnection } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { uploadOk } from "../integration/file-helpers";
import { createJob, logMessages } from "../integration/jobs";
import { startRunsWorker, waitForRun } from "../worker";

/**
 * Data is hostile too: names that come from a file's header become SQL identifiers, nesting can
 * exhaust the stack, and a workbook is a zip of XML. Everything here goes in through the API
 * (upload, job, trigger) and comes out of a real run.
 */

let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let fixture: FixtureServer;
let user: Awaited<ReturnType<typeof createUser>>["user"];
let workspaceId: string;
let token: string;
let jobCounter = 0;

beforeAll(async () => {
  worker = await startRunsWorker();
  fixture = await startFixtureServer();
});

afterAll(async () => {
  await worker?.close();
  await fixture?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  const created = await createUser();
  user = created.user;
  workspaceId = created.workspace.id;
  token = await apiToken(user.id);
});

async function runSource(source: Record<string, unknown>, transform: unknown[] = []) {
  const job = await createJob({ workspaceId, userId: user.id, name: `Hostile ${++jobCounter}`, definition: { source, transform, retry: { attempts: 2, backoffSeconds: 1 } } });
  const triggered = await call(triggerRoute, { method: "POST", path: `/api/v1/jobs/${job.id}/runs`, params: { id: job.id }, token });
  expect(triggered.status).toBe(202);
  await waitForRun(triggered.body.id);
  const run = await call(runRoute, { path: `/api/v1/runs/${triggered.body.id}`, params: { id: triggered.body.id }, token });
  return { job, run: run.body };
}

const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

describe("hostile header names become safe, distinct columns", () => {
  it("loads a CSV whose header is an attack, through upload, run and results", async () => {
    const long = "L".repeat(300);
    const header = [
      "id",
      '"na""me"', // a quote inside
      '"a;b"',
      '"x""); DROP TABLE users; --"',
      long,
      `${long}X`, // same first 63 bytes as the previous one
      "",
      "",
      "dup",
      "dup",
      "Name",
      "name",
      "NAME",
      '"nul\u0000byte"',
      "__proto__",
      "constructor",
      "_row",
      "_run_id",
      "ünï©ødé 🚀",
    ];
    const values = header.map((_, i) => String(i));
    const fileId = await uploadOk(user.id, "hostile.csv", `${header.join(",")}\n${values.join(",")}\n`);
    const { job, run } = await runSource({ type: "file", fileId, format: "csv" });
    expect(run).toMatchObject({ status: "success", rowsLoaded: 1 });

    const hashed = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix}_[0-9a-f]{8}$`));
    const columns = Object.keys(await tableColumns(env.DATASET_SCHEMA, datasetTableName(job.id)));
    expect(columns).toEqual([
      "_run_id",
      "_row",
      "id",
      'na"me',
      "a;b",
      'x"); DROP TABLE users; --',
      hashed("L".repeat(54)),
      hashed("L".repeat(54)),
      "column_7",
      "column_8",
      "dup",
      "dup_2",
      "Name",
      "name",
      "NAME",
      "nulbyte",
      "__proto___data",
      "constructor",
      "_row_data",
      "_run_id_data",
      "ünï©ødé 🚀",
    ]);
    expect(new Set(columns).size).toBe(columns.length);
    // Every value landed in its own column: nothing was dropped, merged or executed.
    const results = await call(resultsRoute, { path: `/api/v1/runs/${run.id}/results`, params: { id: run.id }, token });
    expect(results.status).toBe(200);
    const row = results.body.results[0] as Record<string, unknown>;
    const dataColumns = columns.slice(2);
    expect(Object.fromEntries(dataColumns.map((name) => [name, row[name]]))).toEqual(Object.fromEntries(dataColumns.map((name, i) => [name, i])));
    const [users] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users`;
    expect(users!.n).toBe(1);
  });

  it("keeps a JSON key named __proto__ as a column of its own", async () => {
    fixture.route("/proto", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('[{"__proto__":{"admin":true},"a":1,"constructor":2}]'));
    const { job, run } = await runSource({ type: "http", url: `${fixture.origin}/proto` });
    expect(run).toMatchObject({ status: "success", rowsLoaded: 1 });
    expect(await tableColumns(env.DATASET_SCHEMA, datasetTableName(job.id))).toEqual({
      _run_id: "uuid",
      _row: "bigint",
      __proto___data: "jsonb",
      a: "bigint",
      constructor: "bigint",
    });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe("deeply nested JSON", () => {
  it("answers 400 for API bodies, not a crash", async () => {
    const body = `{"name":"Deep","source":{"type":"http","url":"https://api.example.com/x","method":"POST","body":${deep(100_000)}}}`;
    const job = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, body, headers: { "content-type": "application/json" } });
    expect(expectProblem(job, 400).detail).toBe("The body is nested more than 200 levels deep.");
    const preview = await call(previewRoute, { method: "POST", path: "/api/v1/preview", token, body: `{"source":${deep(50_000)}}`, headers: { "content-type": "application/json" } });
    expect(expectProblem(preview, 400).detail).toBe("The body is nested more than 200 levels deep.");
    const connection = await saveConnection({ workspaceId, userId: user.id, name: "Api", config: { type: "http", auth: { type: "bearer" } }, secret: "t" });
    const patch = await call(patchConnectionRoute, {
      method: "PATCH",
      path: `/api/v1/connections/${connection.id}`,
      params: { id: connection.id },
      token,
      body: `{"name":${deep(1000)}}`,
      headers: { "content-type": "application/json" },
    });
    expect(expectProblem(patch, 400).detail).toBe("The body is nested more than 200 levels deep.");
    // Just within the limit, it is a question of validation, not of nesting.
    const within = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, body: `{"name":${deep(199)}}`, headers: { "content-type": "application/json" } });
    expect(within.status).toBe(422);
  });

  it("fails runs of JSON and NDJSON files, HTTP responses and json casts, permanently", async () => {
    const json = await runSource({ type: "file", fileId: await uploadOk(user.id, "deep.json", `[{"a":1},{"b":${deep(100_000)}}]`), format: "json" });
    expect(json.run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "extract", message: "A record in the JSON file is nested more than 200 levels deep." } });

    const ndjson = await runSource({ type: "file", fileId: await uploadOk(user.id, "deep.ndjson", `{"a":1}\n{"b":${deep(100_000)}}\n`), format: "ndjson" });
    expect(ndjson.run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "extract", message: "Line 2 of the NDJSON file is nested more than 200 levels deep." } });

    fixture.route("/deep", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(`[${deep(100_000)}]`));
    const http = await runSource({ type: "http", url: `${fixture.origin}/deep` });
    expect(http.run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "extract", message: `The response from ${fixture.origin}/deep is nested more than 200 levels deep.` } });
    expect(fixture.requestsTo("/deep")).toBe(1);

    fixture.route("/cells", (_req, res) => sendJson(res, 200, [{ doc: deep(100_000) }]));
    const cast = await runSource({ type: "http", url: `${fixture.origin}/cells` }, [{ op: "cast", columns: { doc: "json" } }]);
    expect(cast.run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "transform" } });
    expect(cast.run.error.message).toContain("nested more than 200 levels deep");
  });
});

describe("xlsx: XML entity tricks", () => {
  /** A real workbook whose first sheet's XML is rewritten with a DOCTYPE declaring `entities`, used in a cell. */
  async function workbookWith(doctype: string, reference: string): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    book.addWorksheet("Data").addRows([["name"], ["placeholder"]]);
    const zip = await JSZip.loadAsync(await book.xlsx.writeBuffer());
    const path = "xl/worksheets/sheet1.xml";
    let xml = await zip.file(path)!.async("string");
    xml = xml.replace(/^(<\?xml[^>]*\?>)/, `$1${doctype}`);
    // The cell as an inline string holding the entity reference.
    xml = xml.replace(/<c r="A2"[^>]*>.*?<\/c>/, `<c r="A2" t="inlineStr"><is><t>${reference}</t></is></c>`);
    zip.file(path, xml);
    return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
  }

  it("reads the same rewritten workbook without a DOCTYPE", async () => {
    const { job, run } = await runSource({ type: "file", fileId: await uploadOk(user.id, "plain.xlsx", await workbookWith("", "plain")), format: "xlsx" });
    expect({ status: run.status, error: run.error, rowsLoaded: run.rowsLoaded }).toEqual({ status: "success", error: null, rowsLoaded: 1 });
    expect(await tableColumns(env.DATASET_SCHEMA, datasetTableName(job.id))).toEqual({ _run_id: "uuid", _row: "bigint", name: "text" });
  });

  it("never expands entities: no billion laughs, no external file", async () => {
    const lol = ['<!DOCTYPE lolz [<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`), "]>"].join("");
    const laughs = await runSource({ type: "file", fileId: await uploadOk(user.id, "lol.xlsx", await workbookWith(lol, "&lol9;")), format: "xlsx" });
    const external = await runSource({
      type: "file",
      fileId: await uploadOk(user.id, "xxe.xlsx", await workbookWith('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>', "&xxe;")),
      format: "xlsx",
    });
    for (const { job, run } of [laughs, external]) {
      expect(run).toMatchObject({
        status: "failed",
        attempt: 1,
        error: { stage: "extract", message: "The workbook's XML declares a DOCTYPE (at xl/worksheets/sheet1.xml); workbooks with entity declarations are refused." },
      });
      expect(JSON.stringify(await logMessages(run.id))).not.toMatch(/lollol|root:|localhost/);
      expect(await tableColumns(env.DATASET_SCHEMA, datasetTableName(job.id))).toEqual({});
    }
  });
});
