import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { BASE_URL, call, type ApiResponse } from "../api";
import { resetDatabase, resetQueue } from "../db";
import { saveConnection } from "../external-databases";
import { uploadOk } from "../integration/file-helpers";
import { createJob } from "../integration/jobs";
import { createTeam } from "../teams";

/**
 * Walks every operation of the OpenAPI document, calling its real route handler (resolved from
 * the path under app/api) as each kind of caller that must be refused, and checks the status and
 * that the refused call changed nothing. Requirements are written out here, from the SPEC's role
 * table, rather than derived from lib/auth: a route that drifts from them fails.
 */

type Handler = (req: never, context: never) => Promise<Response>;
type RouteModule = Record<string, Handler | unknown>;

const routeModules = import.meta.glob<RouteModule>("../../app/api/**/route.ts");
const moduleFor = (apiPath: string) => {
  const file = `../../app${apiPath.replace(/\{(\w+)\}/g, "[$1]")}/route.ts`;
  return routeModules[file];
};

/**
 * What an operation needs. `role`: the lowest workspace role allowed; `instance`: instance admins
 * only; `self`: any signed-in account, `selfUncapped` not through a role-capped token. `object`:
 * the path names an object in a workspace, which outsiders must not learn exists (404).
 */
type Requirement =
  | { role: "viewer" | "editor" | "admin"; object: boolean }
  | { instance: true }
  | { self: true; uncapped?: boolean };

const viewerObject = { role: "viewer", object: true } as const;
const editorObject = { role: "editor", object: true } as const;
const adminObject = { role: "admin", object: true } as const;
const editorCollection = { role: "editor", object: false } as const;
const viewerCollection = { role: "viewer", object: false } as const;
const instance = { instance: true } as const;

const REQUIREMENTS: Record<string, Requirement> = {
  "GET /api/v1/tokens": { self: true },
  "POST /api/v1/tokens": { self: true, uncapped: true },
  "DELETE /api/v1/tokens/{id}": { self: true, uncapped: true },
  "GET /api/v1/jobs": viewerCollection,
  "POST /api/v1/jobs": editorCollection,
  "GET /api/v1/jobs/{id}": viewerObject,
  "PATCH /api/v1/jobs/{id}": editorObject,
  "DELETE /api/v1/jobs/{id}": editorObject,
  "POST /api/v1/jobs/{id}/runs": editorObject,
  "GET /api/v1/jobs/{id}/runs": viewerObject,
  "GET /api/v1/jobs/{id}/data": viewerObject,
  "GET /api/v1/jobs/{id}/data/profile": viewerObject,
  "GET /api/v1/jobs/{id}/incremental": viewerObject,
  "DELETE /api/v1/jobs/{id}/incremental": editorObject,
  "POST /api/v1/preview": editorCollection,
  "GET /api/v1/runs": viewerCollection,
  "GET /api/v1/runs/{id}": viewerObject,
  "POST /api/v1/runs/{id}/cancel": editorObject,
  "GET /api/v1/runs/{id}/logs": viewerObject,
  "GET /api/v1/runs/{id}/results": viewerObject,
  "GET /api/v1/runs/{id}/results/profile": viewerObject,
  "GET /api/v1/stats": viewerCollection,
  "GET /api/v1/files": viewerCollection,
  "POST /api/v1/files": editorCollection,
  "GET /api/v1/files/{id}": viewerObject,
  "DELETE /api/v1/files/{id}": editorObject,
  "GET /api/v1/connections": editorCollection,
  "POST /api/v1/connections": editorCollection,
  "GET /api/v1/connections/{id}": editorObject,
  "PATCH /api/v1/connections/{id}": editorObject,
  "DELETE /api/v1/connections/{id}": editorObject,
  "POST /api/v1/connections/{id}/test": editorObject,
  "GET /api/v1/me": { self: true },
  "PATCH /api/v1/me": { self: true },
  "GET /api/v1/workspaces": { self: true },
  "POST /api/v1/workspaces": instance,
  "GET /api/v1/workspaces/{id}": viewerObject,
  "PATCH /api/v1/workspaces/{id}": adminObject,
  "DELETE /api/v1/workspaces/{id}": instance,
  "GET /api/metrics": instance,
  "GET /api/v1/workspaces/{id}/members": viewerObject,
  "POST /api/v1/workspaces/{id}/members": adminObject,
  "PATCH /api/v1/workspaces/{id}/members/{userId}": adminObject,
  "DELETE /api/v1/workspaces/{id}/members/{userId}": adminObject,
  "GET /api/v1/users": instance,
  "POST /api/v1/users": instance,
  "GET /api/v1/users/{id}": instance,
  "PATCH /api/v1/users/{id}": instance,
  "DELETE /api/v1/users/{id}": instance,
  "GET /api/v1/audit": { role: "admin", object: false },
};

type Caller = "anonymous" | "viewer" | "editor" | "outsider" | "cappedViewer";
const RANK = { viewer: 0, editor: 1, admin: 2 } as const;

/** The status a refused caller must get, or null when the caller may use the operation. */
function expectedRefusal(requirement: Requirement, caller: Caller): number | null {
  if (caller === "anonymous") return 401;
  if ("self" in requirement) return caller === "cappedViewer" && requirement.uncapped ? 403 : null;
  if ("instance" in requirement) return 403;
  const role = caller === "cappedViewer" ? "viewer" : caller === "outsider" ? null : caller;
  if (role === null) return requirement.object ? 404 : null; // outsiders act in their own workspace
  return RANK[role] >= RANK[requirement.role] ? null : 403;
}

let team: Awaited<ReturnType<typeof createTeam>>;
let tokens: Record<Exclude<Caller, "anonymous">, string>;
let ids: Record<string, string>;

const MULTIPART_BOUNDARY = "----dfh-security-suite";
const multipart = [`--${MULTIPART_BOUNDARY}`, 'Content-Disposition: form-data; name="file"; filename="x.csv"', "Content-Type: text/csv", "", "a,b", "1,2", `--${MULTIPART_BOUNDARY}--`, ""].join("\r\n");

/** A valid request for every operation, so a refusal cannot hide behind a 422. */
function requestFor(method: string, apiPath: string): { path: string; params: Record<string, string>; json?: unknown; body?: string; headers?: Record<string, string> } {
  const params: Record<string, string> = {};
  const concrete = apiPath.replace(/\{(\w+)\}/g, (_, name: string) => {
    const resource = apiPath.split("/")[3]!;
    const value = name === "userId" ? ids.editorUser! : ids[resource]!;
    params[name] = value;
    return value;
  });
  const bodies: Record<string, unknown> = {
    "POST /api/v1/tokens": { name: "walk" },
    "POST /api/v1/jobs": { name: "Walked", source: { type: "http", url: "https://shop.example.com/orders" } },
    "PATCH /api/v1/jobs/{id}": { name: "Renamed" },
    "POST /api/v1/preview": { source: { type: "http", url: "https://shop.example.com/orders" } },
    "POST /api/v1/connections": { type: "http", name: "Walked", auth: { type: "bearer", token: "t0ken" } },
    "PATCH /api/v1/connections/{id}": { name: "Renamed" },
    "POST /api/v1/connections/{id}/test": {},
    "PATCH /api/v1/me": { defaultWorkspaceId: ids.workspaces },
    "POST /api/v1/workspaces": { name: "Walked" },
    "PATCH /api/v1/workspaces/{id}": { name: "Renamed" },
    "POST /api/v1/workspaces/{id}/members": { email: "someone@example.test", role: "viewer" },
    "PATCH /api/v1/workspaces/{id}/members/{userId}": { role: "admin" },
    "POST /api/v1/users": { email: "new@example.test", name: "New", password: "a long password" },
    "PATCH /api/v1/users/{id}": { name: "Renamed" },
  };
  const key = `${method} ${apiPath}`;
  if (key === "POST /api/v1/files") {
    return { path: concrete, params, body: multipart, headers: { "content-type": `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` } };
  }
  return { path: concrete, params, json: bodies[key] };
}

/** Every row of the tables a request could change, as one comparable text (token use times aside). */
async function snapshot(): Promise<string> {
  const tables = ["users", "workspaces", "memberships", "api_tokens", "jobs", "runs", "run_logs", "connections", "files", "datasets"];
  const parts = await Promise.all(
    tables.map(async (table) => {
      const [row] = await sql.unsafe<{ digest: string; count: number }[]>(
        `SELECT count(*)::int AS count, md5(coalesce(string_agg((to_jsonb(t) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(t) - 'last_used_at')::text), '')) AS digest FROM ${table} t`,
      );
      return `${table}:${row!.count}:${row!.digest}`;
    }),
  );
  return parts.join("\n");
}

const document = buildOpenApiDocument(BASE_URL) as unknown as { paths: Record<string, Record<string, { security?: unknown[] }>> };
const operations = Object.entries(document.paths).flatMap(([apiPath, item]) =>
  Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), apiPath, secured: Array.isArray(operation.security) && operation.security.length > 0 })),
);
const secured = operations.filter((op) => op.secured);

beforeAll(async () => {
  await resetQueue();
  await resetDatabase();
  team = await createTeam();
  tokens = { ...team.tokens, cappedViewer: await team.capped("viewer") };
  const job = await createJob({ workspaceId: team.workspace.id, userId: team.admin.id, name: "Orders", definition: { source: { type: "http", url: "https://shop.example.com/orders" } } });
  const run = await insertRun(db, { jobId: job.id, workspaceId: team.workspace.id, trigger: "api", definition: job.definition });
  const connection = await saveConnection({
    workspaceId: team.workspace.id,
    userId: team.admin.id,
    name: "Warehouse",
    config: { type: "postgres", host: "warehouse.example.com", port: 5432, database: "dw", user: "etl", ssl: "require" },
    secret: "pw",
  });
  const [token] = await sql<{ id: string }[]>`SELECT id FROM api_tokens WHERE user_id = ${team.admin.id} LIMIT 1`;
  ids = {
    jobs: job.id,
    runs: run.id,
    files: await uploadOk(team.admin.id, "orders.csv", "id,total\n1,2\n"),
    connections: connection.id,
    workspaces: team.workspace.id,
    users: team.editor.id,
    tokens: token!.id,
    editorUser: team.editor.id,
  };
});

describe("the OpenAPI document and the route files agree", () => {
  it("documents a requirement for every secured operation, and every operation has a handler", async () => {
    expect(secured.map((op) => `${op.method} ${op.apiPath}`).sort()).toEqual(Object.keys(REQUIREMENTS).sort());
    for (const { method, apiPath } of operations) {
      const load = moduleFor(apiPath);
      expect(load, `no route file for ${apiPath}`).toBeDefined();
      const route = await load!();
      expect(typeof route[method], `${apiPath} exports no ${method}`).toBe("function");
    }
  });

  it("documents every route file under app/api/v1", () => {
    const documented = new Set(operations.map((op) => `../../app${op.apiPath.replace(/\{(\w+)\}/g, "[$1]")}/route.ts`));
    const undocumented = Object.keys(routeModules).filter(
      (file) => file.startsWith("../../app/api/v1/") && !file.includes("[...") && !file.endsWith("/openapi.json/route.ts") && !documented.has(file),
    );
    expect(undocumented.map((file) => path.dirname(file.slice("../../app".length)))).toEqual([]);
  });
});

describe.each<Caller>(["anonymous", "viewer", "cappedViewer", "editor", "outsider"])("every operation as %s", (caller) => {
  // An operation without a requirement fails the first test above; here it is skipped.
  const refused = secured
    .filter((op) => REQUIREMENTS[`${op.method} ${op.apiPath}`])
    .map((op) => ({ ...op, status: expectedRefusal(REQUIREMENTS[`${op.method} ${op.apiPath}`]!, caller) }))
    .filter((op): op is typeof op & { status: number } => op.status !== null);

  it.each(refused.map((op) => [`${op.method} ${op.apiPath}`, op.status, op] as const))("%s answers %i and changes nothing", async (_, status, op) => {
    const route = await moduleFor(op.apiPath)!();
    const request = requestFor(op.method, op.apiPath);
    const before = await snapshot();
    const res: ApiResponse = await call(route[op.method] as never, {
      method: op.method,
      ...request,
      token: caller === "anonymous" ? undefined : tokens[caller],
    });
    expect({ status: res.status, type: res.headers.get("content-type") }).toEqual({ status, type: "application/problem+json" });
    expect(await snapshot()).toBe(before);
  });
});

describe("lists seen from another workspace", () => {
  it.each(["/api/v1/jobs", "/api/v1/runs", "/api/v1/files", "/api/v1/connections"])("%s shows an outsider none of the team's objects", async (apiPath) => {
    const route = await moduleFor(apiPath)!();
    const res = await call(route.GET as never, { path: apiPath, token: tokens.outsider });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(0);
    expect(JSON.stringify(res.body)).not.toContain(team.workspace.id);
  });
});
