import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "@/lib/db/client";
import type { ConnectionConfig } from "@/lib/schemas/connections";
import { createUser, resetDatabase, resetQueue } from "../db";
import { saveConnection } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { createJob, logMessages, triggerJob } from "./jobs";

const SECRET = "http-Planted-Secret-77aa";

let api: FixtureServer;
let elsewhere: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let seen: { server: string; path: string; headers: IncomingHttpHeaders }[];

beforeAll(async () => {
  [api, elsewhere] = await Promise.all([startFixtureServer(), startFixtureServer()]);
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
  await Promise.all([api?.close(), elsewhere?.close()]);
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  api.reset();
  elsewhere.reset();
  seen = [];
  // Page 1 and 2 on the API's origin, page 3 on another origin (a CDN, or a hostile link).
  api.route("/items", (req, res, url) => {
    seen.push({ server: "api", path: url.pathname + url.search, headers: req.headers });
    const page = url.searchParams.get("page") ?? "1";
    const next = page === "1" ? `${api.origin}/items?page=2` : `${elsewhere.origin}/items?page=3`;
    sendJson(res, 200, { items: [{ id: Number(page) }], next });
  });
  // A redirect to another origin must not carry the credentials either.
  api.route("/moved", (req, res, url) => {
    seen.push({ server: "api", path: url.pathname, headers: req.headers });
    res.writeHead(302, { location: `${elsewhere.origin}/items?page=9` }).end();
  });
  elsewhere.route("/items", (req, res, url) => {
    seen.push({ server: "elsewhere", path: url.pathname + url.search, headers: req.headers });
    sendJson(res, 200, { items: [{ id: Number(url.searchParams.get("page")) }], next: null });
  });
});

async function jobWith(auth: unknown, path = "/items", headers: Record<string, string> = {}) {
  const { user, workspace } = await createUser();
  const config = { type: "http", auth } as ConnectionConfig;
  const connection = await saveConnection({ workspaceId: workspace.id, userId: user.id, name: "api", config, secret: SECRET });
  return createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: "Authenticated",
    definition: {
      source: {
        type: "http",
        url: `${api.origin}${path}`,
        headers,
        connectionId: connection.id,
        recordsPath: "items",
        pagination: { type: "next_url", nextUrlPath: "next" },
      },
    },
  });
}

describe("http source with a saved connection", () => {
  it.each([
    [{ type: "bearer" }, "authorization", `Bearer ${SECRET}`],
    [{ type: "basic", username: "ada" }, "authorization", `Basic ${Buffer.from(`ada:${SECRET}`).toString("base64")}`],
    [{ type: "api_key", header: "X-Shop-Key" }, "x-shop-key", SECRET],
  ])("sends %o credentials to the source's origin only", async (auth, header, value) => {
    const job = await jobWith(auth);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsLoaded: 3 });
    expect(seen.map((s) => [s.server, s.path, s.headers[header] ?? null])).toEqual([
      ["api", "/items", value],
      ["api", "/items?page=2", value],
      ["elsewhere", "/items?page=3", null],
    ]);
    const stored = JSON.stringify([await sql`SELECT * FROM run_logs`, await sql`SELECT definition, error_message FROM runs`]);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(Buffer.from(`ada:${SECRET}`).toString("base64"));
  });

  it("sends the connection's credentials in place of a job header of the same name", async () => {
    const job = await jobWith({ type: "bearer" }, "/items", { Authorization: "Bearer from-the-job", "X-Other": "kept" });
    expect(await waitForRun((await triggerJob(job)).id)).toMatchObject({ status: "success", rowsLoaded: 3 });
    const api = seen.filter((s) => s.server === "api");
    expect(api.map((s) => [s.headers.authorization, s.headers["x-other"]])).toEqual([
      [`Bearer ${SECRET}`, "kept"],
      [`Bearer ${SECRET}`, "kept"],
    ]);
  });

  it("follows a redirect to another origin without the credentials", async () => {
    const job = await jobWith({ type: "api_key", header: "X-Shop-Key" }, "/moved");
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsLoaded: 1 });
    expect(seen.map((s) => [s.server, s.path, s.headers["x-shop-key"] ?? null])).toEqual([
      ["api", "/moved", SECRET],
      ["elsewhere", "/items?page=9", null],
    ]);
  });

  it("fails permanently when the connection is gone or of another type", async () => {
    const { user, workspace } = await createUser();
    const pgConnection = await saveConnection({
      workspaceId: workspace.id,
      userId: user.id,
      name: "db",
      config: { type: "postgres", host: "127.0.0.1", port: 5432, database: "x", user: "x", ssl: "disable" },
    });
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Wrong type",
      definition: { source: { type: "http", url: `${api.origin}/items`, connectionId: pgConnection.id, recordsPath: "items" } },
    });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorStage: "extract", errorMessage: 'The connection "db" is a postgres connection, not http.' });
    expect(seen).toEqual([]);
    expect(await logMessages(run.id)).toContain('extract failed: The connection "db" is a postgres connection, not http.');
  });
});
