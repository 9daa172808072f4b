import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createConnectionRoute } from "@/app/api/v1/connections/route";
import { POST as testConnectionRoute } from "@/app/api/v1/connections/[id]/test/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { PATCH as patchJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as previewRoute } from "@/app/api/v1/preview/route";
import { GET as runRoute } from "@/app/api/v1/runs/[id]/route";
import { closeMysql, connectMysql } from "@/lib/connections/mysql";
import { env } from "@/lib/env";
import { createOutboundGuard, OutboundRefusedError, safeFetch } from "@/lib/security/outbound";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { createMysqlDatabase, saveConnection, type ExternalMysql } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { createJob, logMessages } from "../integration/jobs";
import { startRunsWorker, waitForRun } from "../worker";

/**
 * Server-side request forgery. The test environment allows only 127.0.0.1 (OUTBOUND_ALLOWLIST),
 * where the fixture servers run. A "private service" listens on 127.0.0.2 — loopback, reachable
 * from this machine, not allowed — and counts what reaches it: every case below must leave it at 0.
 */

const HINT = "Outbound connections to such addresses are refused unless the administrator allows them in OUTBOUND_ALLOWLIST.";
const refusal = (host: string, what: string) => `${host} is ${what}. ${HINT}`;

let fixture: FixtureServer;
let trap: Server;
let trapPort: number;
let trapHits = 0;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let mariadb: ExternalMysql;
let user: Awaited<ReturnType<typeof createUser>>["user"];
let workspaceId: string;
let token: string;

beforeAll(async () => {
  fixture = await startFixtureServer();
  trap = createServer((_req, res) => {
    trapHits++;
    res.writeHead(200, { "content-type": "application/json" }).end('[{"secret":"internal"}]');
  });
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.2", resolve));
  trapPort = (trap.address() as AddressInfo).port;
  worker = await startRunsWorker();
  mariadb = await createMysqlDatabase("ssrf", "ssrf-Pw-1");
});

afterAll(async () => {
  await worker?.close();
  await fixture?.close();
  trap?.closeAllConnections();
  await new Promise((resolve) => trap?.close(resolve));
  await mariadb?.drop();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  trapHits = 0;
  const created = await createUser();
  user = created.user;
  workspaceId = created.workspace.id;
  token = await apiToken(user.id);
});

const P = () => trapPort;
/** The private service's address in the encodings a URL parser and resolvers accept. */
const encodings = () => [
  `http://127.0.0.2:${P()}/`,
  `http://2130706434:${P()}/`, // decimal
  `http://0177.0.0.2:${P()}/`, // octal
  `http://0x7f.0.0.2:${P()}/`, // hex parts
  `http://0x7f000002:${P()}/`, // one hex number
  `http://127.2:${P()}/`, // short form
  `http://%31%32%37.0.0.2:${P()}/`, // percent-encoded
  `http://127.0.0.2.:${P()}/`, // trailing dot
  `http://[::ffff:127.0.0.2]:${P()}/`, // IPv4-mapped IPv6
  `http://[::ffff:7f00:2]:${P()}/`, // the same in hex
  `http://[::127.0.0.2]:${P()}/`, // IPv4-compatible
  `http://[64:ff9b::7f00:2]:${P()}/`, // NAT64
  `http://[2002:7f00:2::1]:${P()}/`, // 6to4
];

const otherPrivate = [
  ["http://[::1]/", "a loopback address"],
  ["http://[0:0:0:0:0:0:0:1]/", "a loopback address"],
  ["http://0.0.0.0/", "an unspecified address"],
  ["http://0/", "an unspecified address"],
  ["http://10.0.0.1/", "a private (RFC 1918) address"],
  ["http://172.16.5.4/", "a private (RFC 1918) address"],
  ["http://192.168.1.1/", "a private (RFC 1918) address"],
  ["http://100.64.0.1/", "a carrier-grade NAT address"],
  ["http://169.254.169.254/latest/meta-data/", "a cloud metadata address"],
  ["http://[fd00:ec2::254]/latest/meta-data/", "a cloud metadata address"],
  ["http://[fe80::1]/", "a link-local address"],
  ["http://[fc00::1]/", "a unique-local address"],
  ["http://224.0.0.1/", "a multicast address"],
  ["http://255.255.255.255/", "a broadcast address"],
  ["http://192.0.2.1/", "a reserved address (documentation, benchmarking or future use)"],
  ["http://198.18.0.1/", "a reserved address (documentation, benchmarking or future use)"],
  ["http://localhost.localdomain/", "a name for this machine or a private network"],
  ["http://metadata.google.internal/computeMetadata/v1/", "a name for this machine or a private network"],
] as const;

let jobCounter = 0;
const httpJob = (url: string, extra: Record<string, unknown> = {}) => ({ name: `Job ${url.slice(0, 80)}`, source: { type: "http", url, ...extra } });

async function runJob(url: string, extra: Record<string, unknown> = {}) {
  // Saved through the query layer: the API would refuse it (422), the run must refuse it again.
  const job = await createJob({ workspaceId, userId: user.id, name: `Run-time check ${++jobCounter}`, definition: { source: { type: "http", url, ...extra }, retry: { attempts: 3, backoffSeconds: 1 } } });
  const triggered = await call(triggerRoute, { method: "POST", path: `/api/v1/jobs/${job.id}/runs`, params: { id: job.id }, token });
  expect(triggered.status).toBe(202);
  await waitForRun(triggered.body.id);
  const run = await call(runRoute, { path: `/api/v1/runs/${triggered.body.id}`, params: { id: triggered.body.id }, token });
  return { run: run.body, log: await logMessages(triggered.body.id) };
}

describe("HTTP sources: refused when saved (422)", () => {
  it("refuses the private service's address in every encoding", async () => {
    for (const url of encodings()) {
      const res = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: httpJob(url) });
      const problem = expectProblem(res, 422);
      expect(problem.errors, url).toEqual([{ path: "source.url", message: expect.stringMatching(/ is a loopback address\. Outbound connections/) }]);
    }
  });

  it("names the range of other private, reserved and metadata addresses and private names", async () => {
    for (const [url, what] of otherPrivate) {
      const problem = expectProblem(await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: httpJob(url) }), 422);
      expect(problem.errors?.[0]?.message, url).toMatch(new RegExp(` is ${what.replace(/[()]/g, "\\$&")}\\. ${HINT.replace(/[.()]/g, "\\$&")}$`));
    }
  });

  it("refuses other schemes", async () => {
    for (const url of ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/x", "data:application/json,[]", "javascript:alert(1)"]) {
      const problem = expectProblem(await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: httpJob(url) }), 422);
      expect(problem.errors, url).toEqual([{ path: "source.url", message: "must be an http or https URL" }]);
    }
  });

  it("refuses on update and on preview, and accepts the allowlisted address and public names", async () => {
    const ok = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: httpJob(`${fixture.origin}/orders`) });
    expect(ok.status).toBe(201);
    expect((await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: httpJob("https://api.example.com/orders") })).status).toBe(201);
    const patched = await call(patchJobRoute, {
      method: "PATCH",
      path: `/api/v1/jobs/${ok.body.id}`,
      params: { id: ok.body.id },
      token,
      json: { source: { type: "http", url: "http://[::ffff:a9fe:a9fe]/latest/meta-data/" } },
    });
    expect(expectProblem(patched, 422).errors).toEqual([
      { path: "source.url", message: refusal("::ffff:a9fe:a9fe", "a cloud metadata address") },
    ]);
    const preview = await call(previewRoute, { method: "POST", path: "/api/v1/preview", token, json: { source: { type: "http", url: `http://0x7f.0.0.2:${P()}/` } } });
    expect(expectProblem(preview, 422).errors).toEqual([{ path: "source.url", message: refusal("127.0.0.2", "a loopback address") }]);
    expect(trapHits).toBe(0);
  });
});

describe("HTTP sources: refused again when they run", () => {
  it("fails the run permanently, naming the address, and never reaches it", async () => {
    const { run, log } = await runJob(`http://2130706434:${P()}/`);
    expect(run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "extract", message: refusal("127.0.0.2", "a loopback address") } });
    expect(log).toContain(`extract failed: ${refusal("127.0.0.2", "a loopback address")}`);
    expect(trapHits).toBe(0);
  });

  it("checks every redirect: a hop to a private address fails the run", async () => {
    fixture.route("/hop", (_req, res) => res.writeHead(302, { location: "/hop2" }).end());
    fixture.route("/hop2", (_req, res) => res.writeHead(307, { location: `http://[::ffff:127.0.0.2]:${P()}/internal` }).end());
    const { run } = await runJob(`${fixture.origin}/hop`);
    expect(run).toMatchObject({ status: "failed", attempt: 1, error: { stage: "extract", message: refusal("::ffff:7f00:2", "a loopback address") } });
    expect(fixture.requestsTo("/hop")).toBe(1);
    expect(fixture.requestsTo("/hop2")).toBe(1);
    expect(trapHits).toBe(0);
  });

  it("refuses a redirect to another scheme, and more than five redirects", async () => {
    fixture.route("/to-file", (_req, res) => res.writeHead(301, { location: "file:///etc/passwd" }).end());
    expect((await runJob(`${fixture.origin}/to-file`)).run.error).toEqual({ stage: "extract", message: "file: URLs are refused: only http and https are fetched." });
    fixture.route("/loop", (_req, res) => res.writeHead(302, { location: "/loop" }).end());
    expect((await runJob(`${fixture.origin}/loop`)).run.error).toEqual({ stage: "extract", message: `${fixture.origin}/loop redirected more than 5 times.` });
    expect(fixture.requestsTo("/loop")).toBe(6);
  });

  it("checks next_url and Link header pagination targets", async () => {
    fixture.route("/page1", (_req, res) => sendJson(res, 200, { items: [{ id: 1 }], next: `http://127.2:${P()}/page2` }));
    const nextUrl = await runJob(`${fixture.origin}/page1`, { recordsPath: "items", pagination: { type: "next_url", nextUrlPath: "next" } });
    expect(nextUrl.run.error).toEqual({ stage: "extract", message: refusal("127.0.0.2", "a loopback address") });
    expect(nextUrl.log).toContain(`Fetched page 1 from ${fixture.origin}/page1: 1 records`);

    fixture.route("/linked", (_req, res) => sendJson(res, 200, [{ id: 1 }], { link: `<http://[::1]:${P()}/next>; rel="next"` }));
    const linked = await runJob(`${fixture.origin}/linked`, { pagination: { type: "link_header" } });
    expect(linked.run.error).toEqual({ stage: "extract", message: refusal("::1", "a loopback address") });
    expect(trapHits).toBe(0);
  });

  it("refuses every encoding in the fetch itself", async () => {
    for (const url of encodings()) {
      await expect(safeFetch(url), url).rejects.toThrow(/ is a loopback address\. Outbound connections/);
    }
    for (const url of ["file:///etc/passwd", "gopher://127.0.0.1/", "ftp://127.0.0.1/"]) {
      await expect(safeFetch(url), url).rejects.toThrow(OutboundRefusedError);
    }
    expect(trapHits).toBe(0);
  });
});

describe("DNS names are checked at connection time", () => {
  it("refuses names that resolve to private addresses, and connects to the address it checked", async () => {
    const strict = createOutboundGuard([]);
    const port = new URL(fixture.origin).port;
    // localhost and this machine's name resolve to 127.0.0.1 (/etc/hosts): refused without an allowlist.
    await expect(strict.safeFetch(`http://localhost:${port}/x`)).rejects.toThrow(`localhost resolves to 127.0.0.1, a loopback address. ${HINT}`);
    await expect(strict.assertPublicUrl(`http://LOCALHOST.:${port}/x`)).rejects.toThrow("localhost resolves to 127.0.0.1, a loopback address.");
    await expect(strict.safeFetch(`${fixture.origin}/x`)).rejects.toThrow(refusal("127.0.0.1", "a loopback address"));
    await expect(strict.assertPublicHost("vm")).rejects.toThrow(`vm resolves to 127.0.0.1, a loopback address. ${HINT}`);
    expect(fixture.requestsTo("/x")).toBe(0);

    // Allowed by address: when connecting, a name resolving to 127.0.0.1 passes under the test
    // allowlist (saving a job with such a private name still needs the name itself allowlisted).
    expect(env.OUTBOUND_ALLOWLIST).toEqual(["127.0.0.1"]);
    fixture.route("/x", (_req, res) => sendJson(res, 200, []));
    const res = await safeFetch(`http://localhost:${port}/x`);
    expect(res.status).toBe(200);
    await res.discard();
  });

  it("lets an allowlisted name through whatever it resolves to", async () => {
    const named = createOutboundGuard(["vm"]);
    expect(await named.assertPublicHost("vm")).toEqual([{ address: "127.0.0.1", family: 4 }]);
    await expect(named.assertPublicHost("localhost")).rejects.toThrow("localhost resolves to 127.0.0.1, a loopback address");
  });
});

describe("database connections", () => {
  const pg = { type: "postgres", name: "PG", database: "warehouse", user: "etl", password: "pw" };

  it("refuses private hosts, sockets and file-reading options when saved (422)", async () => {
    const save = (json: unknown) => call(createConnectionRoute, { method: "POST", path: "/api/v1/connections", token, json });
    const cases: [unknown, { path: string; message: string }][] = [
      [{ ...pg, host: "127.0.0.2" }, { path: "host", message: refusal("127.0.0.2", "a loopback address") }],
      [{ ...pg, host: "0x0a.1" }, { path: "host", message: refusal("10.0.0.1", "a private (RFC 1918) address") }],
      [{ ...pg, host: "[::ffff:169.254.169.254]" }, { path: "host", message: refusal("::ffff:a9fe:a9fe", "a cloud metadata address") }],
      [{ ...pg, host: "localhost" }, { path: "host", message: `localhost is a name for this machine or a private network. ${HINT}` }],
      [{ ...pg, host: "/var/run/postgresql" }, { path: "host", message: "must be a host name or IP address" }],
      [{ ...pg, host: "db1.example.com,127.0.0.2" }, { path: "host", message: '"db1.example.com,127.0.0.2" is not a host name or IP address.' }],
      [{ type: "postgres", name: "U", url: "postgres://etl:pw@192.168.0.10/warehouse" }, { path: "url", message: refusal("192.168.0.10", "a private (RFC 1918) address") }],
      [{ type: "postgres", name: "U", url: "postgres://etl@db.example.com/warehouse?sslrootcert=/etc/passwd" }, { path: "url", message: "sslrootcert would make the driver read a file on DataFlowHub's servers and is refused" }],
      [{ type: "postgres", name: "U", url: "postgres://etl@db.example.com/warehouse?passfile=/root/.pgpass" }, { path: "url", message: "passfile would make the driver read a file on DataFlowHub's servers and is refused" }],
      [{ type: "postgres", name: "U", url: "postgres://etl@db.example.com/warehouse?host=/var/run/postgresql" }, { path: "url", message: "host would make the driver read a file on DataFlowHub's servers and is refused" }],
      [{ type: "mysql", name: "U", url: "mysql://etl@db.example.com/shop?socketPath=/tmp/mysql.sock" }, { path: "url", message: "socketPath would make the driver read a file on DataFlowHub's servers and is refused" }],
      [{ type: "postgres", name: "U", url: "postgres://etl@db.example.com/warehouse?application_name=x" }, { path: "url", message: "application_name is not supported; sslmode is the only URL option" }],
    ];
    for (const [body, error] of cases) {
      expect(expectProblem(await save(body), 422).errors, JSON.stringify(body)).toEqual([error]);
    }
    expect((await save({ ...pg, host: "db.example.com" })).status).toBe(201);
  });

  it("refuses them again when connecting, without reaching them", async () => {
    const saved = await saveConnection({ workspaceId, userId: user.id, name: "Loop", config: { type: "postgres", host: "127.0.0.2", port: P(), database: "x", user: "u", ssl: "disable" }, secret: "pw" });
    const tested = await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${saved.id}/test`, params: { id: saved.id }, token, json: {} });
    expect(tested.body).toEqual({ ok: false, message: refusal("127.0.0.2", "a loopback address"), durationMs: expect.any(Number) });

    const maria = await saveConnection({ workspaceId, userId: user.id, name: "Maria", config: { ...mariadb.config, host: "0177.0.0.2" }, secret: "ssrf-Pw-1" });
    const job = await createJob({ workspaceId, userId: user.id, name: "Maria", definition: { source: { type: "mysql", connectionId: maria.id, query: "SELECT 1" } } });
    const triggered = await call(triggerRoute, { method: "POST", path: `/api/v1/jobs/${job.id}/runs`, params: { id: job.id }, token });
    const run = await waitForRun(triggered.body.id);
    expect({ status: run.status, attempt: run.attempt }).toEqual({ status: "failed", attempt: 1 });
    expect((await logMessages(run.id)).at(-1)).toBe(`extract failed: ${refusal("127.0.0.2", "a loopback address")}`);
    expect(trapHits).toBe(0);
  });

  it("refuses DataFlowHub's own database under any of its names", async () => {
    const own = new URL(env.DATABASE_URL);
    const database = decodeURIComponent(own.pathname.slice(1));
    for (const host of ["127.0.0.1", "localhost", "0x7f.1", "[::ffff:127.0.0.1]"]) {
      const saved = await saveConnection({ workspaceId, userId: user.id, name: `Own ${host}`, config: { type: "postgres", host, port: Number(own.port || 5432), database, user: "postgres", ssl: "disable" } });
      const tested = await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${saved.id}/test`, params: { id: saved.id }, token, json: {} });
      expect(tested.body.message, host).toBe("The connection points at DataFlowHub's own database, which jobs may not read or write; choose another database.");
    }
    // Another database on the same (allowlisted) server is a different matter.
    const other = await saveConnection({ workspaceId, userId: user.id, name: "Other", config: { type: "postgres", host: "127.0.0.1", port: Number(own.port || 5432), database: "postgres", user: "postgres", ssl: "disable" } });
    const tested = await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${other.id}/test`, params: { id: other.id }, token, json: {} });
    expect(tested.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected to PostgreSQL \d+/) });
  });

  it("never answers a server's request for a local file (LOAD DATA LOCAL)", async () => {
    await mariadb.conn.query("CREATE TABLE leak (line TEXT)");
    const conn = await connectMysql({ ...mariadb.config, id: "x", name: "x", secret: "ssrf-Pw-1" });
    try {
      await expect(conn.promise().query("LOAD DATA LOCAL INFILE '/etc/hosts' INTO TABLE leak")).rejects.toThrow();
    } finally {
      await closeMysql(conn);
    }
    const [rows] = await mariadb.conn.query("SELECT count(*) AS n FROM leak");
    expect(rows).toEqual([{ n: 0 }]);
  });

  it("tests an HTTP connection only against allowed URLs", async () => {
    const saved = await saveConnection({ workspaceId, userId: user.id, name: "Api", config: { type: "http", auth: { type: "bearer" } }, secret: "tok" });
    const res = await call(testConnectionRoute, { method: "POST", path: `/api/v1/connections/${saved.id}/test`, params: { id: saved.id }, token, json: { url: "http://169.254.169.254/latest/meta-data/" } });
    expect(expectProblem(res, 422).errors).toEqual([{ path: "url", message: refusal("169.254.169.254", "a cloud metadata address") }]);
  });
});
