import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createConnectionRoute } from "@/app/api/v1/connections/route";
import { GET as readConnectionRoute, PATCH as patchConnectionRoute } from "@/app/api/v1/connections/[id]/route";
import { POST as testConnectionRoute } from "@/app/api/v1/connections/[id]/test/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { apiToken, BASE_URL, call, type ApiResponse } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { createMysqlDatabase, createPostgresDatabase, type ExternalMysql, type ExternalPostgres } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";

/**
 * Secrets planted in connections (a MariaDB password that really authenticates, a PostgreSQL
 * password, an HTTP bearer token the API really checks) are used by real runs, successful and
 * failing; afterwards no API answer, run log, audit event, stored run or job, console line or
 * Redis key of this test run's queue may contain any of them.
 */

const SECRETS = {
  mysql: "mysql-Planted-8c1f2e",
  wrongMysql: "wrong-Planted-51ab7d",
  postgres: "pg-Planted-3d9a41",
  http: "http-Planted-77e0b6",
};
const planted = Object.values(SECRETS);

let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let api: FixtureServer;
let elsewhere: FixtureServer;
let mariadb: ExternalMysql;
let warehouse: ExternalPostgres;
let token: string;
const responses: { what: string; res: ApiResponse }[] = [];
const consoleLines: string[] = [];
const seenElsewhere: string[] = [];
const runIds: string[] = [];
const restoreConsole: (() => void)[] = [];

function remember(what: string, res: ApiResponse): ApiResponse {
  responses.push({ what, res });
  return res;
}

beforeAll(async () => {
  await resetQueue();
  await resetDatabase();
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      consoleLines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      original(...args);
    };
    restoreConsole.push(() => (console[method] = original));
  }
  worker = await startRunsWorker();
  api = await startFixtureServer();
  elsewhere = await startFixtureServer();
  mariadb = await createMysqlDatabase("secrets", SECRETS.mysql);
  await mariadb.conn.query("CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2)); INSERT INTO orders VALUES (1, 9.50), (2, 12.00)");
  warehouse = await createPostgresDatabase("secrets");

  const authorized = (header: string | undefined) => header === `Bearer ${SECRETS.http}`;
  api.route("/orders", (req, res) => (authorized(req.headers.authorization) ? sendJson(res, 200, [{ id: 1 }, { id: 2 }]) : sendJson(res, 401, { error: "no" })));
  // A server that echoes what it was sent into its error: the run's message must not repeat it.
  api.route("/echo", (req, res) => sendJson(res, 400, { error: `bad token ${req.headers.authorization}` }));
  api.route("/moved", (_req, res) => res.writeHead(302, { location: `${elsewhere.origin}/landing` }).end());
  elsewhere.route("/landing", (req, res) => {
    seenElsewhere.push(JSON.stringify(req.headers));
    sendJson(res, 200, [{ id: 3 }]);
  });

  const { user } = await createUser();
  token = await apiToken(user.id);
});

afterAll(async () => {
  restoreConsole.forEach((restore) => restore());
  await worker?.close();
  await api?.close();
  await elsewhere?.close();
  await mariadb?.drop();
  await warehouse?.drop();
});

async function saveConnection(body: unknown) {
  const res = remember("create connection", await call(createConnectionRoute, { method: "POST", path: "/api/v1/connections", token, json: body }));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function run(name: string, source: unknown) {
  const job = remember("create job", await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: { name, source, retry: { attempts: 2, backoffSeconds: 1 } } }));
  expect(job.status).toBe(201);
  const triggered = remember("trigger", await call(triggerRoute, { method: "POST", path: `/api/v1/jobs/${job.body.id}/runs`, params: { id: job.body.id }, token }));
  const finished = await waitForRun(triggered.body.id);
  runIds.push(finished.id);
  return finished;
}

describe("planted secrets", () => {
  it("are used by real runs, successful and failing", async () => {
    const maria = await saveConnection({ type: "mysql", name: "Shop", url: `mysql://${mariadb.user}:${encodeURIComponent(SECRETS.mysql)}@127.0.0.1:3306/${mariadb.name}` });
    const wrong = await saveConnection({ type: "mysql", name: "Wrong", host: "127.0.0.1", database: mariadb.name, user: mariadb.user, password: SECRETS.wrongMysql });
    const pg = await saveConnection({ ...warehouse.config, name: "Warehouse", password: SECRETS.postgres });
    const bearer = await saveConnection({ type: "http", name: "Orders API", auth: { type: "bearer", token: SECRETS.http } });

    expect((await run("MariaDB orders", { type: "mysql", connectionId: maria, query: "SELECT * FROM orders ORDER BY id" })).status).toBe("success");
    expect((await run("Warehouse", { type: "postgres", connectionId: pg, query: "SELECT 1 AS one" })).status).toBe("success");
    expect((await run("HTTP orders", { type: "http", url: `${api.origin}/orders`, connectionId: bearer })).status).toBe("success");
    expect((await run("Moved", { type: "http", url: `${api.origin}/moved`, connectionId: bearer })).status).toBe("success");
    const refused = await run("Wrong password", { type: "mysql", connectionId: wrong, query: "SELECT 1" });
    expect(refused.status).toBe("failed");
    expect(refused.errorMessage).toMatch(/^MySQL error 28000: Access denied for user/);
    const echoed = await run("Echo", { type: "http", url: `${api.origin}/echo`, connectionId: bearer });
    expect(echoed.errorMessage).toBe(`${api.origin}/echo answered HTTP 400 Bad Request.`);

    for (const id of [maria, wrong, pg]) {
      remember("test connection", await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${id}/test`, params: { id }, token, json: {} }));
    }
    remember("test http connection", await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${bearer}/test`, params: { id: bearer }, token, json: { url: `${api.origin}/echo` } }));

    // A redirect to another origin went there without the token.
    expect(seenElsewhere).toHaveLength(1);
    expect(seenElsewhere[0]).not.toContain("authorization");
  });

  it("survive an edit that sends the masked value back", async () => {
    const [connection] = await sql<{ id: string }[]>`SELECT id FROM connections WHERE name = 'Orders API'`;
    const id = connection!.id;
    const read = remember("read connection", await call(readConnectionRoute, { path: `/api/v1/connections/${id}`, params: { id }, token }));
    expect(read.body.auth).toEqual({ type: "bearer", token: "••••" });
    const patched = remember(
      "patch with mask",
      await call(patchConnectionRoute, { method: "PATCH", path: `/api/v1/connections/${id}`, params: { id }, token, json: { name: "Orders API v2", auth: read.body.auth } }),
    );
    expect(patched.status).toBe(200);
    // The kept token still opens the API.
    expect((await run("HTTP orders again", { type: "http", url: `${api.origin}/orders`, connectionId: id })).status).toBe("success");
  });

  it("appear in no API answer", async () => {
    const document = buildOpenApiDocument(BASE_URL) as unknown as { paths: Record<string, Record<string, { security?: unknown }>> };
    const [job] = await sql<{ id: string }[]>`SELECT id FROM jobs ORDER BY created_at LIMIT 1`;
    const [connection] = await sql<{ id: string }[]>`SELECT id FROM connections ORDER BY created_at LIMIT 1`;
    const [me] = await sql<{ id: string; workspace: string }[]>`SELECT u.id, m.workspace_id AS workspace FROM users u JOIN memberships m ON m.user_id = u.id LIMIT 1`;
    const [tokenRow] = await sql<{ id: string }[]>`SELECT id FROM api_tokens LIMIT 1`;
    const routes = import.meta.glob<Record<string, unknown>>("../../app/api/**/route.ts");
    let reads = 0;
    for (const [apiPath, item] of Object.entries(document.paths)) {
      if (!item.get) continue;
      const objects = apiPath.includes("/runs/{id}") ? runIds : [({ jobs: job, connections: connection, workspaces: { id: me!.workspace }, users: me, tokens: tokenRow } as Record<string, { id: string } | undefined>)[apiPath.split("/")[3]!]?.id ?? ""];
      for (const id of objects) {
        const concrete = apiPath.replace("{id}", id).replace("{userId}", me!.id);
        const route = await routes[`../../app${apiPath.replace(/\{(\w+)\}/g, "[$1]")}/route.ts`]!();
        const res = await call(route.GET as never, { path: concrete, params: { id, userId: me!.id }, token });
        remember(`GET ${concrete}`, res);
        reads++;
      }
    }
    expect(reads).toBeGreaterThan(30);
    // The answers did include the connections, with their secrets masked.
    expect(responses.filter(({ res }) => JSON.stringify(res.body).includes('"••••"')).length).toBeGreaterThan(5);
    for (const { what, res } of responses) {
      const text = JSON.stringify(res.body);
      for (const secret of planted) expect(text, `${what} (${res.status})`).not.toContain(secret);
    }
  });

  it("appear in no run log, audit event, stored job or run, or console line", async () => {
    const tables = await sql.unsafe<{ text: string }[]>(
      "SELECT string_agg(t::text, '\n') AS text FROM run_logs t UNION ALL SELECT string_agg(t::text, '\n') FROM audit_events t UNION ALL SELECT string_agg(t::text, '\n') FROM runs t UNION ALL SELECT string_agg(t::text, '\n') FROM jobs t UNION ALL SELECT string_agg((t.config)::text, '\n') FROM connections t",
    );
    const stored = tables.map((t) => t.text).join("\n");
    expect(stored).toContain("Access denied for user");
    for (const secret of planted) {
      expect(stored).not.toContain(secret);
      expect(consoleLines.join("\n")).not.toContain(secret);
    }
    // Stored connections hold only ciphertext.
    const [secretsAtRest] = await sql<{ text: string }[]>`SELECT string_agg(secret, ' ') AS text FROM connections`;
    expect(secretsAtRest!.text.split(" ").every((value) => value.startsWith("v1."))).toBe(true);
  });

  it("appear in no Redis key of the run queue", async () => {
    const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${env.QUEUE_PREFIX}:*`, "COUNT", 500);
        cursor = next;
        keys.push(...found);
      } while (cursor !== "0");
      expect(keys.length).toBeGreaterThan(5);
      const contents: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === "string") contents.push((await redis.get(key)) ?? "");
        else if (type === "hash") contents.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === "list") contents.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === "set") contents.push(JSON.stringify(await redis.smembers(key)));
        else if (type === "zset") contents.push(JSON.stringify(await redis.zrange(key, 0, -1, "WITHSCORES")));
        else if (type === "stream") contents.push(JSON.stringify(await redis.xrange(key, "-", "+")));
      }
      const all = contents.join("\n");
      // The queue really holds this test's runs, so the search looked in the right place.
      expect(all).toContain(runIds[0]);
      for (const secret of planted) expect(all).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });
});
