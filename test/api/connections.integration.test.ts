import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as listConnections, POST as createConnection } from "@/app/api/v1/connections/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { PATCH as patchJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { DELETE as deleteConnection, GET as readConnection, PATCH as patchConnection } from "@/app/api/v1/connections/[id]/route";
import { POST as testConnection } from "@/app/api/v1/connections/[id]/test/route";
import { db, sql } from "@/lib/db/client";
import { getConnection } from "@/lib/db/queries/connections";
import { secrets } from "@/lib/crypto/secrets";
import { call, expectProblem, tokenFor } from "../api";
import { addMember, createMemberOnly, createUser, resetDatabase } from "../db";
import { createMysqlDatabase, type ExternalMysql } from "../external-databases";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { createJob } from "../integration/jobs";

const PLANTED = "planted-Secret-7f3a9c";
const MYSQL_PASSWORD = "mysql-Secret-42e1";

let fixture: FixtureServer;
let mariadb: ExternalMysql;

beforeAll(async () => {
  fixture = await startFixtureServer();
  mariadb = await createMysqlDatabase("conn_api", MYSQL_PASSWORD);
});

afterAll(async () => {
  await fixture?.close();
  await mariadb?.drop();
});

beforeEach(async () => {
  await resetDatabase();
  fixture.reset();
});

async function editor() {
  const { user, workspace } = await createUser();
  return { user, workspace, token: await tokenFor(user.email) };
}

const pgBody = { type: "postgres", name: "Warehouse", host: "127.0.0.1", database: "postgres", user: "postgres", password: PLANTED };

async function create(token: string, json: unknown) {
  return call(createConnection, { method: "POST", path: "/api/v1/connections", token, json });
}

describe("connections CRUD", () => {
  it("stores the password encrypted and answers it masked everywhere", async () => {
    const { workspace, token } = await editor();
    const created = await create(token, pgBody);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      workspaceId: workspace.id,
      name: "Warehouse",
      type: "postgres",
      host: "127.0.0.1",
      port: 5432,
      database: "postgres",
      user: "postgres",
      ssl: "disable",
      password: "••••",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const [row] = await sql<{ config: unknown; secret: string }[]>`SELECT config, secret FROM connections WHERE id = ${created.body.id}`;
    expect(row!.secret).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(PLANTED);
    expect(secrets().decrypt(row!.secret)).toBe(PLANTED);

    const list = await call(listConnections, { path: "/api/v1/connections", token });
    const one = await call(readConnection, { path: `/api/v1/connections/${created.body.id}`, token, params: { id: created.body.id } });
    expect(list.body).toMatchObject({ count: 1, next: null, previous: null, results: [created.body] });
    expect(one.body).toEqual(created.body);
    for (const res of [created, list, one]) expect(JSON.stringify(res.body)).not.toContain(PLANTED);
  });

  it("keeps the stored secret when the mask is sent back, replaces or removes it on request", async () => {
    const { token } = await editor();
    const { body } = await create(token, pgBody);
    const patch = (json: unknown) => call(patchConnection, { method: "PATCH", path: `/api/v1/connections/${body.id}`, token, params: { id: body.id }, json });
    const stored = async () => (await getConnection(db, body.id))!.secret;

    // The form sends back what it was given, mask included.
    const renamed = await patch({ ...body, id: undefined, workspaceId: undefined, type: undefined, createdAt: undefined, updatedAt: undefined, name: "Renamed" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Renamed", password: "••••", host: "127.0.0.1" });
    expect(secrets().decrypt((await stored())!)).toBe(PLANTED);

    expect((await patch({ port: 6543 })).body).toMatchObject({ port: 6543, password: "••••" });
    expect(secrets().decrypt((await stored())!)).toBe(PLANTED);

    expect((await patch({ password: "another-one" })).body.password).toBe("••••");
    expect(secrets().decrypt((await stored())!)).toBe("another-one");

    expect((await patch({ password: null })).body.password).toBeNull();
    expect(await stored()).toBeNull();

    // Nothing stored: the mask cannot stand for it.
    const problem = expectProblem(await patch({ password: "••••" }), 422);
    expect(problem.errors).toEqual([{ path: "password", message: '"••••" keeps a stored secret, and there is none: send the secret itself' }]);
  });

  it("takes a URL, which replaces the whole address on update", async () => {
    const { token } = await editor();
    const created = await create(token, { type: "mysql", name: "Shop", url: "mysql://shop:pw%21@db.example:3307/orders?sslmode=require" });
    expect(created.body).toMatchObject({ host: "db.example", port: 3307, database: "orders", user: "shop", ssl: "require", password: "••••" });
    expect(secrets().decrypt((await getConnection(db, created.body.id))!.secret!)).toBe("pw!");

    const id = created.body.id;
    const updated = await call(patchConnection, { method: "PATCH", path: `/api/v1/connections/${id}`, token, params: { id }, json: { url: "mysql://ro@warehouse.example/orders" } });
    expect(updated.body).toMatchObject({ host: "warehouse.example", port: 3306, user: "ro", ssl: "disable", password: null });
  });

  it("masks HTTP secrets and validates each type's fields", async () => {
    const { token } = await editor();
    const basic = await create(token, { type: "http", name: "API", auth: { type: "basic", username: "ada", password: PLANTED } });
    expect(basic.body).toMatchObject({ type: "http", auth: { type: "basic", username: "ada", password: "••••" } });
    const key = await create(token, { type: "http", name: "Key", auth: { type: "api_key", value: PLANTED } });
    expect(key.body.auth).toEqual({ type: "api_key", header: "X-API-Key", value: "••••" });
    expect(JSON.stringify([basic.body, key.body])).not.toContain(PLANTED);

    const invalid = expectProblem(await create(token, { type: "postgres", name: "", host: "/var/run/postgresql", user: "u" }), 422);
    expect(invalid.errors).toEqual([
      { path: "name", message: "name is required" },
      { path: "host", message: "must be a host name or IP address" },
      { path: "database", message: "database is required (or give a url)" },
    ]);
    // A field of another type is refused, not silently dropped.
    const id = key.body.id;
    const wrong = expectProblem(
      await call(patchConnection, { method: "PATCH", path: `/api/v1/connections/${id}`, token, params: { id }, json: { host: "x" } }),
      422,
    );
    expect(wrong.errors).toEqual([{ path: "", message: 'Unrecognized key: "host"' }]);
  }, 30_000);

  it("answers 409 for a duplicate name and for deleting a connection a job uses", async () => {
    const { user, workspace, token } = await editor();
    const { body } = await create(token, pgBody);
    expect(expectProblem(await create(token, pgBody), 409).detail).toBe("A connection with this name already exists in the workspace.");

    await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Nightly",
      definition: { source: { type: "postgres", connectionId: body.id, query: "SELECT 1" } },
    });
    const refused = expectProblem(await call(deleteConnection, { method: "DELETE", path: `/api/v1/connections/${body.id}`, token, params: { id: body.id } }), 409);
    expect(refused.detail).toBe('The connection is used by the job "Nightly"; change or delete them first.');

    const other = await create(token, { ...pgBody, name: "Unused" });
    const deleted = await call(deleteConnection, { method: "DELETE", path: `/api/v1/connections/${other.body.id}`, token, params: { id: other.body.id } });
    expect(deleted.status).toBe(204);
    expect(await getConnection(db, other.body.id)).toBeUndefined();
  });

  it("lets editors in, keeps viewers out (403) and hides other workspaces (404)", async () => {
    const owner = await editor();
    const { body } = await create(owner.token, pgBody);
    const viewer = await createMemberOnly("viewer1", owner.workspace.id, "viewer");
    const viewerToken = await tokenFor(viewer.email);
    expectProblem(await call(listConnections, { path: "/api/v1/connections", token: viewerToken }), 403);

    const stranger = await editor();
    expectProblem(await call(readConnection, { path: `/api/v1/connections/${body.id}`, token: stranger.token, params: { id: body.id } }), 404);
    expect((await call(listConnections, { path: "/api/v1/connections", token: stranger.token })).body.count).toBe(0);

    await addMember(stranger.user.id, owner.workspace.id, "editor");
    const read = await call(readConnection, { path: `/api/v1/connections/${body.id}`, token: stranger.token, params: { id: body.id } });
    expect(read.status).toBe(200);
  });
});

describe("jobs naming connections", () => {
  it("may only use connections of their own workspace and of the right type (422 with the field's path)", async () => {
    const { token } = await editor();
    const stranger = await editor();
    const mine = (await create(token, pgBody)).body;
    const api = (await create(token, { type: "http", name: "API", auth: { type: "bearer", token: PLANTED } })).body;
    const foreign = (await create(stranger.token, pgBody)).body;
    const createJob = (json: unknown) => call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json });

    const refused = expectProblem(
      await createJob({
        name: "Mixed up",
        source: { type: "postgres", connectionId: foreign.id, query: "SELECT 1" },
        destination: { type: "mysql", connectionId: mine.id, table: "t", mode: "append" },
      }),
      422,
    );
    expect(refused.errors).toEqual([
      { path: "source.connectionId", message: "no connection with this id in the job's workspace" },
      { path: "destination.connectionId", message: 'connection "Warehouse" is a postgres connection, not mysql' },
    ]);

    const job = await createJob({ name: "Fine", source: { type: "http", url: "https://shop.example.com/orders", connectionId: api.id } });
    expect(job.status).toBe(201);
    expect(job.body.source.connectionId).toBe(api.id);
    expect(JSON.stringify(job.body)).not.toContain(PLANTED);
    const patched = expectProblem(
      await call(patchJobRoute, {
        method: "PATCH",
        path: `/api/v1/jobs/${job.body.id}`,
        token,
        params: { id: job.body.id },
        json: { source: { type: "http", url: "https://shop.example.com/orders", connectionId: mine.id } },
      }),
      422,
    );
    expect(patched.errors).toEqual([{ path: "source.connectionId", message: 'connection "Warehouse" is a postgres connection, not http' }]);
  });
});

describe("POST /api/v1/connections/{id}/test", () => {
  async function runTest(token: string, id: string, json?: unknown) {
    return call(testConnection, { method: "POST", path: `/api/v1/connections/${id}/test`, token, params: { id }, json });
  }

  it("reports the PostgreSQL server's version, or the driver's error", async () => {
    const { token } = await editor();
    const good = await create(token, pgBody);
    const ok = await runTest(token, good.body.id);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, message: expect.stringMatching(/^Connected to PostgreSQL \d+\.\d+\.$/), durationMs: expect.any(Number) });

    const missing = await create(token, { ...pgBody, name: "Missing", database: "no_such_db_here" });
    expect((await runTest(token, missing.body.id)).body).toMatchObject({
      ok: false,
      message: 'PostgreSQL error 3D000: database "no_such_db_here" does not exist',
    });

    const closed = await create(token, { ...pgBody, name: "Closed", port: 1 });
    expect((await runTest(token, closed.body.id)).body).toMatchObject({ ok: false, message: "Could not reach PostgreSQL: connect ECONNREFUSED 127.0.0.1:1" });
  });

  it("reports MariaDB's version, or its refusal of a wrong password without echoing it", async () => {
    const { token } = await editor();
    const base = { type: "mysql", host: "127.0.0.1", database: mariadb.name, user: mariadb.user };
    const good = await create(token, { ...base, name: "Maria", password: MYSQL_PASSWORD });
    expect((await runTest(token, good.body.id)).body).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected to MariaDB \d+\.\d+\.\d+\.$/) });

    const bad = await create(token, { ...base, name: "Wrong", password: PLANTED });
    const failed = await runTest(token, bad.body.id);
    expect(failed.body).toMatchObject({
      ok: false,
      message: expect.stringMatching(new RegExp(`^MySQL error 28000: Access denied for user '${mariadb.user}'@'[^']+' \\(using password: YES\\)$`)),
    });
    expect(JSON.stringify(failed.body)).not.toContain(PLANTED);
  });

  it("calls an HTTP URL with the saved credentials and reports the answer", async () => {
    fixture.route("/me", (req, res) => {
      const ok = req.headers["x-api-key"] === PLANTED;
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end("{}");
    });
    const { token } = await editor();
    const good = await create(token, { type: "http", name: "Key", auth: { type: "api_key", value: PLANTED } });
    const bad = await create(token, { type: "http", name: "Bad", auth: { type: "api_key", value: "nope" } });
    const url = `${fixture.origin}/me?x=1`;
    expect((await runTest(token, good.body.id, { url })).body).toMatchObject({ ok: true, message: `${fixture.origin}/me answered HTTP 200 OK.` });
    expect((await runTest(token, bad.body.id, { url })).body).toMatchObject({
      ok: false,
      message: `${fixture.origin}/me answered HTTP 401 Unauthorized: the credentials were refused.`,
    });
    const noUrl = expectProblem(await call(testConnection, { method: "POST", path: `/api/v1/connections/${good.body.id}/test`, token, params: { id: good.body.id } }), 422);
    expect(noUrl.errors).toEqual([{ path: "url", message: "is required to test an http connection" }]);
  });
});
