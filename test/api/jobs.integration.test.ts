import { beforeEach, describe, expect, it } from "vitest";
import { GET as getJob, PATCH as patchJob, DELETE as deleteJob } from "@/app/api/v1/jobs/[id]/route";
import { GET as listJobRuns, POST as triggerRun } from "@/app/api/v1/jobs/[id]/runs/route";
import { GET as listJobs, POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { POST as cancelRun } from "@/app/api/v1/runs/[id]/cancel/route";
import { runsQueue } from "@/lib/queue/runs-queue";
import { apiToken, call, expectProblem } from "../api";
import { addMember, createMemberOnly, createUser, resetDatabase, resetQueue } from "../db";
import { saveConnection } from "../external-databases";
import { createJob as insertJobRow } from "../integration/jobs";

const body = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  source: { type: "http", url: "https://shop.example.com/api/orders", recordsPath: "data.items" },
  ...extra,
});

let token: string;
let workspaceId: string;
let userId: string;

const post = (json: unknown, as = token) => call(createJob, { method: "POST", path: "/api/v1/jobs", token: as, json });
const get = (id: string, as = token) => call(getJob, { path: `/api/v1/jobs/${id}`, params: { id }, token: as });

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  const { user, workspace } = await createUser("owner");
  token = await apiToken(user.id);
  workspaceId = workspace.id;
  userId = user.id;
});

describe("POST /api/v1/jobs", () => {
  it("creates a job: 201 with defaults applied", async () => {
    const res = await post(body("Shop orders", { description: "Nightly" }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workspaceId,
      name: "Shop orders",
      description: "Nightly",
      source: {
        type: "http",
        url: "https://shop.example.com/api/orders",
        method: "GET",
        headers: {},
        query: {},
        recordsPath: "data.items",
        pagination: { type: "none" },
        maxPages: 1000,
        timeoutMs: 30000,
      },
      transform: [],
      destination: { type: "dataset", mode: "replace" },
      retry: { attempts: 3, backoffSeconds: 30 },
      schedule: null,
      overlap: "queue",
      notify: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      nextRunAt: null,
      lastRun: null,
    });
    expect((await get(res.body.id)).body).toEqual(res.body);
  });

  it("answers 422 with the path of every invalid field", async () => {
    const problem = expectProblem(
      await post({ name: "", source: { type: "http", url: "ftp://x.example" }, transform: [{ op: "select", columns: [] }] }),
      422,
    );
    expect(problem.type).toBe("https://dataflowhub.dev/problems/validation");
    expect(problem.title).toBe("Unprocessable Entity");
    expect(problem.errors).toEqual([
      { path: "name", message: "name is required" },
      { path: "source.url", message: "must be an http or https URL" },
      { path: "transform.0.columns", message: "Too small: expected array to have >=1 items" },
    ]);
    expect(expectProblem(await post({ ...body("x"), owner: "me" }), 422).errors).toEqual([
      { path: "", message: 'Unrecognized key: "owner"' },
    ]);
  });

  it("answers 415 for a body that is not JSON and 400 for malformed JSON", async () => {
    const form = await call(createJob, {
      method: "POST",
      path: "/api/v1/jobs",
      token,
      body: "name=x",
      headers: { "content-type": "text/plain" },
    });
    expect(expectProblem(form, 415).detail).toBe("Send the body as application/json.");
    const missingType = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, body: JSON.stringify(body("x")) });
    expectProblem(missingType, 415);

    const malformed = await call(createJob, {
      method: "POST",
      path: "/api/v1/jobs",
      token,
      body: '{"name": "x",',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(expectProblem(malformed, 400).detail).toMatch(/^The body is not valid JSON: /);
  });

  it("answers 409 for a duplicate name in the workspace", async () => {
    expect((await post(body("Orders"))).status).toBe(201);
    const problem = expectProblem(await post(body("Orders")), 409);
    expect([problem.title, problem.detail]).toEqual(["Conflict", "A job with this name already exists in the workspace."]);
    // Another workspace may use the name.
    const other = await createUser("other");
    expect((await post(body("Orders"), await apiToken(other.user.id))).status).toBe(201);
  });

  it("answers 403 to a viewer, who can still read", async () => {
    const created = await post(body("Shared"));
    const viewer = await createMemberOnly("viewer", workspaceId, "viewer");
    const viewerToken = await apiToken(viewer.id);

    expect(expectProblem(await post(body("Mine"), viewerToken), 403).detail).toBe("Your role does not allow this action.");
    expect((await get(created.body.id, viewerToken)).status).toBe(200);
    expect((await call(listJobs, { path: "/api/v1/jobs", token: viewerToken })).body.count).toBe(1);
    expectProblem(
      await call(patchJob, { method: "PATCH", path: "/", params: { id: created.body.id }, token: viewerToken, json: { name: "x" } }),
      403,
    );
    expectProblem(await call(deleteJob, { method: "DELETE", path: "/", params: { id: created.body.id }, token: viewerToken }), 403);
    expectProblem(await call(triggerRun, { method: "POST", path: "/", params: { id: created.body.id }, token: viewerToken }), 403);
  });

  it("answers 403 to an editor of one workspace creating in another where they are a viewer", async () => {
    const member = await createUser("member");
    await addMember(member.user.id, workspaceId, "viewer");
    const memberToken = await apiToken(member.user.id);
    expectProblem(await post(body("Into shared", { workspaceId }), memberToken), 403);
    // In their own workspace (the default) they may create.
    expect((await post(body("Own"), memberToken)).body.workspaceId).toBe(member.workspace.id);
  });

  it("answers 404 for a workspace the caller is not a member of", async () => {
    const stranger = await createUser("stranger");
    expectProblem(await post(body("Intrusion", { workspaceId: stranger.workspace.id })), 404);
  });
});

describe("GET /api/v1/jobs", () => {
  it("searches by name and pages with a DRF-style envelope", async () => {
    for (const name of ["Shop orders", "Shop refunds", "CRM contacts", "shop_stock", "Shop 100%"]) {
      expect((await post(body(name))).status).toBe(201);
    }
    const page1 = await call(listJobs, { path: "/api/v1/jobs?q=shop&pageSize=2", token });
    expect(page1.status).toBe(200);
    expect(page1.body.count).toBe(4);
    // Newest first.
    expect(page1.body.results.map((j: { name: string }) => j.name)).toEqual(["Shop 100%", "shop_stock"]);
    expect(page1.body.previous).toBeNull();
    expect(page1.body.next).toBe("http://localhost:3000/api/v1/jobs?q=shop&pageSize=2&page=2");

    const page2 = await call(listJobs, { path: new URL(page1.body.next).pathname + new URL(page1.body.next).search, token });
    expect(page2.body.results.map((j: { name: string }) => j.name)).toEqual(["Shop refunds", "Shop orders"]);
    expect(page2.body.next).toBeNull();
    expect(page2.body.previous).toBe("http://localhost:3000/api/v1/jobs?q=shop&pageSize=2&page=1");

    // LIKE wildcards in q are matched literally.
    const percent = await call(listJobs, { path: "/api/v1/jobs?q=%25", token });
    expect(percent.body.results.map((j: { name: string }) => j.name)).toEqual(["Shop 100%"]);
    const underscore = await call(listJobs, { path: "/api/v1/jobs?q=_", token });
    expect(underscore.body.results.map((j: { name: string }) => j.name)).toEqual(["shop_stock"]);
  });

  it("lists only jobs of the caller's workspaces", async () => {
    await post(body("Mine"));
    const other = await createUser("other");
    await post(body("Theirs"), await apiToken(other.user.id));
    const res = await call(listJobs, { path: "/api/v1/jobs", token });
    expect(res.body.count).toBe(1);
    expect(res.body.results[0].name).toBe("Mine");
  });

  it("answers 422 for bad paging parameters", async () => {
    const problem = expectProblem(await call(listJobs, { path: "/api/v1/jobs?pageSize=1001&page=0", token }), 422);
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(["page", "pageSize"]);
  });
});

describe("GET, PATCH, DELETE /api/v1/jobs/{id}", () => {
  it("reads, updates and deletes a job", async () => {
    const created = (await post(body("Orders"))).body;
    const patched = await call(patchJob, {
      method: "PATCH",
      path: `/api/v1/jobs/${created.id}`,
      params: { id: created.id },
      token,
      json: { name: "Orders v2", retry: { attempts: 5, backoffSeconds: 10 }, transform: [{ op: "normalize", sep: "_" }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: created.id,
      name: "Orders v2",
      description: null,
      source: created.source,
      retry: { attempts: 5, backoffSeconds: 10 },
      transform: [{ op: "normalize", sep: "_" }],
    });
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect((await get(created.id)).body.name).toBe("Orders v2");

    const removed = await call(deleteJob, { method: "DELETE", path: "/", params: { id: created.id }, token });
    expect(removed.status).toBe(204);
    expectProblem(await get(created.id), 404);
    expectProblem(await call(deleteJob, { method: "DELETE", path: "/", params: { id: created.id }, token }), 404);
  });

  it("validates a PATCH: 422 for unknown keys and bad values, 409 for a taken name", async () => {
    const a = (await post(body("A"))).body;
    await post(body("B"));
    const patch = (json: unknown) => call(patchJob, { method: "PATCH", path: "/", params: { id: a.id }, token, json });
    expect(expectProblem(await patch({ nmae: "typo" }), 422).errors).toEqual([{ path: "", message: 'Unrecognized key: "nmae"' }]);
    expect(expectProblem(await patch({ source: { type: "http", url: "nope" } }), 422).errors?.[0]?.path).toBe("source.url");
    expectProblem(await patch({ name: "B" }), 409);
    expect((await get(a.id)).body.name).toBe("A");
  });

  it("refuses an unknown key inside a nested object with 422 naming its path, changing nothing", async () => {
    const a = (await post(body("A"))).body;
    const patch = (json: unknown) => call(patchJob, { method: "PATCH", path: "/", params: { id: a.id }, token, json });
    const pagination = { source: { ...body("x").source, pagination: { type: "page", pageSze: 50 } } };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ schedule: { cron: "0 2 * * *", extra: 1 } }, "schedule", "extra"],
      [pagination, "source.pagination", "pageSze"],
      [{ destination: { type: "dataset", mode: "append", table: "orders" } }, "destination", "table"],
      [{ retry: { attempts: 2, backoffSeconds: 5, jitter: true } }, "retry", "jitter"],
      [{ notify: { webhookUrl: "https://hooks.example.com/dfh", events: ["failure"] } }, "notify", "events"],
      [{ transform: [{ op: "limit", count: 5, offset: 10 }] }, "transform.0", "offset"],
    ];
    for (const [change, path, key] of cases) {
      const errors = [{ path, message: `Unrecognized key: "${key}"` }];
      expect(expectProblem(await post(body("Typo", change)), 422).errors, path).toEqual(errors);
      expect(expectProblem(await patch(change), 422).errors, path).toEqual(errors);
    }
    expect((await call(listJobs, { path: "/api/v1/jobs", token })).body.count).toBe(1);
    expect((await get(a.id)).body).toEqual(a);
  });

  it("takes back the definition of a job as GET answers it", async () => {
    const created = await post({
      name: "Everything",
      description: "All parts filled",
      source: { ...body("x").source, query: { status: "paid" }, pagination: { type: "cursor", cursorPath: "meta.next" } },
      transform: [{ op: "normalize" }, { op: "explode", column: "lines" }, { op: "sort", by: [{ column: "id" }] }, { op: "aggregate", metrics: { n: "op.count()" } }],
      destination: { type: "dataset", mode: "upsert", key: ["id"] },
      retry: { attempts: 2, backoffSeconds: 5 },
      schedule: { cron: "0 2 * * *" },
      overlap: "skip",
      notify: { webhookUrl: "https://hooks.example.com/dfh" },
    });
    expect(created.status).toBe(201);
    const { id, workspaceId: _workspace, createdAt: _created, updatedAt: _updated, nextRunAt: _next, lastRun: _last, ...definition } = (await get(created.body.id)).body;
    const saved = await call(patchJob, { method: "PATCH", path: "/", params: { id }, token, json: definition });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ...created.body, updatedAt: expect.any(String) });
    const copy = await post({ ...definition, name: "Everything, again" });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ ...definition, name: "Everything, again" });
  });

  it("answers 404, not 403, for a job in a workspace the caller is not a member of", async () => {
    const other = await createUser("other");
    const otherToken = await apiToken(other.user.id);
    const theirs = (await post(body("Theirs"), otherToken)).body;
    const params = { id: theirs.id };

    const read = expectProblem(await get(theirs.id), 404);
    expect(read.detail).toBe("The job does not exist.");
    expectProblem(await call(patchJob, { method: "PATCH", path: "/", params, token, json: { name: "mine now" } }), 404);
    expectProblem(await call(deleteJob, { method: "DELETE", path: "/", params, token }), 404);
    expectProblem(await call(triggerRun, { method: "POST", path: "/", params, token }), 404);
    expectProblem(await call(listJobRuns, { path: "/", params, token }), 404);
    // Unchanged for its owner.
    expect((await get(theirs.id, otherToken)).body.name).toBe("Theirs");
  });

  it("answers 404 for ids that are not UUIDs or do not exist", async () => {
    expectProblem(await get("not-a-uuid"), 404);
    expectProblem(await get("00000000-0000-4000-8000-000000000000"), 404);
  });
});

describe("an incremental source", () => {
  const refused = (column: string) => [
    {
      path: "destination.mode",
      message: `mode replace cannot load an incremental source: each run reads only the rows whose "${column}" is past the highest value already loaded, so replace would keep only those; use append or upsert`,
    },
  ];
  const patch = (id: string, json: unknown) => call(patchJob, { method: "PATCH", path: "/", params: { id }, token, json });

  async function connections() {
    const config = { host: "warehouse.example.com", port: 5432, database: "dw", user: "etl", ssl: "require" } as const;
    const pg = await saveConnection({ workspaceId, userId, name: "Warehouse", config: { type: "postgres", ...config } });
    const my = await saveConnection({ workspaceId, userId, name: "Shop", config: { type: "mysql", ...config, port: 3306 } });
    return { pg: pg.id, my: my.id };
  }

  it("is refused with mode replace into any destination (422 at destination.mode), and saved with append or upsert", async () => {
    const { pg, my } = await connections();
    const source = { type: "postgres", connectionId: pg, query: "SELECT * FROM orders", incremental: { column: "updated_at" } };
    for (const destination of [
      undefined,
      { type: "dataset", mode: "replace" },
      { type: "postgres", connectionId: pg, table: "orders", mode: "replace" },
      { type: "mysql", connectionId: my, table: "orders", mode: "replace" },
    ]) {
      expect(expectProblem(await post(body("Orders", { source, destination })), 422).errors, JSON.stringify(destination)).toEqual(refused("updated_at"));
    }
    const appended = await post(body("Orders", { source, destination: { type: "dataset", mode: "append" } }));
    expect(appended.status).toBe(201);
    const upserted = await post(body("Orders into MySQL", { source, destination: { type: "mysql", connectionId: my, table: "orders", mode: "upsert", key: ["id"] } }));
    expect(upserted.status).toBe(201);
    expect((await call(listJobs, { path: "/api/v1/jobs", token })).body.count).toBe(2);
  });

  it("is refused on a PATCH that makes the source incremental or the destination replace, whichever part it changes", async () => {
    const { pg, my } = await connections();
    const incremental = { type: "mysql", connectionId: my, query: "SELECT * FROM orders", incremental: { column: "id" } };
    const everything = (await post(body("Everything"))).body;
    expect(expectProblem(await patch(everything.id, { source: incremental }), 422).errors).toEqual(refused("id"));
    expect((await patch(everything.id, { source: incremental, destination: { type: "dataset", mode: "append" } })).status).toBe(200);

    const table = { type: "postgres", connectionId: pg, table: "orders", mode: "replace" };
    expect(expectProblem(await patch(everything.id, { destination: table }), 422).errors).toEqual(refused("id"));
    expect(expectProblem(await patch(everything.id, { destination: { type: "dataset", mode: "replace" } }), 422).errors).toEqual(refused("id"));
    expect((await patch(everything.id, { destination: { ...table, mode: "upsert", key: ["id"] } })).status).toBe(200);
    expect((await get(everything.id)).body).toMatchObject({ source: incremental, destination: { ...table, mode: "upsert", key: ["id"] } });
  });

  it("saved in mode replace before the check, may still be renamed or unscheduled, and must be fixed when its source or destination is saved", async () => {
    const { my } = await connections();
    const source = { type: "mysql", connectionId: my, query: "SELECT * FROM orders", incremental: { column: "id" } };
    const saved = await insertJobRow({ workspaceId, userId, name: "Saved before", definition: { source, schedule: { cron: "0 2 * * *" } } });
    expect((await patch(saved.id, { name: "Renamed", schedule: null })).status).toBe(200);
    expect(expectProblem(await patch(saved.id, { source }), 422).errors).toEqual(refused("id"));
    expect((await patch(saved.id, { destination: { type: "dataset", mode: "append" } })).status).toBe(200);
  });
});

describe("POST /api/v1/jobs/{id}/runs", () => {
  it("answers 202 with the pending run, enqueued under its own id", async () => {
    const job = (await post(body("Orders", { retry: { attempts: 4, backoffSeconds: 2 } }))).body;
    const res = await call(triggerRun, { method: "POST", path: `/api/v1/jobs/${job.id}/runs`, params: { id: job.id }, token });
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/api/v1/runs/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      jobId: job.id,
      status: "pending",
      trigger: "api",
      attempt: 0,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      rowsExtracted: 0,
      rowsLoaded: 0,
      progress: null,
      error: null,
    });

    const queued = await runsQueue().getJob(res.body.id);
    expect(queued?.data).toEqual({ runId: res.body.id });
    expect(queued?.opts).toMatchObject({ attempts: 4, backoff: { type: "exponential", delay: 2000 } });

    const read = await call(getRun, { path: "/", params: { id: res.body.id }, token });
    expect(read.body).toEqual(res.body);
    const listed = await call(listJobRuns, { path: `/api/v1/jobs/${job.id}/runs`, params: { id: job.id }, token });
    expect(listed.body).toMatchObject({ count: 1, next: null, previous: null, results: [res.body] });
    expect((await get(job.id)).body.lastRun).toEqual({
      id: res.body.id,
      status: "pending",
      createdAt: res.body.createdAt,
      durationMs: null,
    });
  });

  it("cancels a pending run and takes it out of the queue; a second cancel is a 409", async () => {
    const job = (await post(body("Orders"))).body;
    const run = (await call(triggerRun, { method: "POST", path: "/", params: { id: job.id }, token })).body;
    const cancelled = await call(cancelRun, { method: "POST", path: "/", params: { id: run.id }, token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: run.id, status: "cancelled" });
    expect(cancelled.body.finishedAt).not.toBeNull();
    expect(await runsQueue().getJob(run.id)).toBeUndefined();
    expectProblem(await call(cancelRun, { method: "POST", path: "/", params: { id: run.id }, token }), 409);
  });
});
