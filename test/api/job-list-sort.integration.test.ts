import { beforeEach, describe, expect, it } from "vitest";
import { GET as listJobs } from "@/app/api/v1/jobs/route";
import { db, sql } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { apiToken, BASE_URL, call, expectProblem } from "../api";
import { createUser, resetDatabase } from "../db";
import { createJob } from "../integration/jobs";

let token: string;

/**
 * Four jobs whose name, creation, update and last run orders all differ; "bravo" and "Charlie"
 * share their creation time, so that order falls to the id.
 */
const jobs = [
  { name: "bravo", createdMinsAgo: 30, updatedMinsAgo: 1, lastRunMinsAgo: 5 },
  { name: "Charlie", createdMinsAgo: 30, updatedMinsAgo: 20, lastRunMinsAgo: null },
  { name: "alpha", createdMinsAgo: 10, updatedMinsAgo: 10, lastRunMinsAgo: 50 },
  { name: "Delta", createdMinsAgo: 40, updatedMinsAgo: 40, lastRunMinsAgo: 2 },
];
const ids = new Map<string, string>();

beforeEach(async () => {
  await resetDatabase();
  const { user, workspace } = await createUser("sorter");
  token = await apiToken(user.id);
  const definition = { source: { type: "http", url: "https://api.example.com/items" } };
  const now = Date.now();
  const ago = (mins: number) => new Date(now - mins * 60_000).toISOString();
  for (const spec of jobs) {
    const job = await createJob({ workspaceId: workspace.id, userId: user.id, name: spec.name, definition });
    ids.set(spec.name, job.id);
    await sql`UPDATE jobs SET created_at = ${ago(spec.createdMinsAgo)}::timestamptz, updated_at = ${ago(spec.updatedMinsAgo)}::timestamptz WHERE id = ${job.id}`;
    if (spec.lastRunMinsAgo === null) continue;
    for (const minsAgo of [spec.lastRunMinsAgo + 100, spec.lastRunMinsAgo]) {
      const run = await insertRun(db, { jobId: job.id, workspaceId: workspace.id, trigger: "api", definition: job.definition });
      await sql`UPDATE runs SET created_at = ${ago(minsAgo)}::timestamptz WHERE id = ${run.id}`;
    }
  }
});

const list = async (query: string) => {
  const res = await call(listJobs, { path: `/api/v1/jobs${query}`, token });
  expect(res.status).toBe(200);
  return res.body as { count: number; next: string | null; results: { name: string }[] };
};
const names = async (query: string) => (await list(query)).results.map((j) => j.name);

/** The two jobs created at the same time, in id order. */
const tiedByCreation = () => ["bravo", "Charlie"].sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : 1));

describe("GET /api/v1/jobs?sort=", () => {
  it("orders by name, ignoring case, ascending or descending", async () => {
    expect(await names("?sort=name")).toEqual(["alpha", "bravo", "Charlie", "Delta"]);
    expect(await names("?sort=-name")).toEqual(["Delta", "Charlie", "bravo", "alpha"]);
  });

  it("orders by creation (newest first by default) and update time, breaking ties by id", async () => {
    const [first, second] = tiedByCreation();
    expect(await names("?sort=createdAt")).toEqual(["Delta", first, second, "alpha"]);
    expect(await names("?sort=-createdAt")).toEqual(["alpha", second, first, "Delta"]);
    expect(await names("")).toEqual(await names("?sort=-createdAt"));
    expect(await names("?sort=updatedAt")).toEqual(["Delta", "Charlie", "alpha", "bravo"]);
    expect(await names("?sort=-updatedAt")).toEqual(["bravo", "alpha", "Charlie", "Delta"]);
  });

  it("orders by the newest run's time, jobs that never ran last either way", async () => {
    expect(await names("?sort=lastRunAt")).toEqual(["alpha", "bravo", "Delta", "Charlie"]);
    expect(await names("?sort=-lastRunAt")).toEqual(["Delta", "bravo", "alpha", "Charlie"]);
  });

  it("keeps the sort across pages, combined with the search and filters", async () => {
    const first = await list("?sort=-name&pageSize=3");
    expect(first.results.map((j) => j.name)).toEqual(["Delta", "Charlie", "bravo"]);
    expect(new URL(first.next!).searchParams.get("sort")).toBe("-name");
    const second = await list(new URL(first.next!).search);
    expect(second.results.map((j) => j.name)).toEqual(["alpha"]);
    expect(await names("?sort=-name&q=a")).toEqual(["Delta", "Charlie", "bravo", "alpha"]);
    expect(await names("?sort=name&q=l")).toEqual(["alpha", "Charlie", "Delta"]);
    expect(await names("?sort=-lastRunAt&lastStatus=pending")).toEqual(["Delta", "bravo", "alpha"]);
  });

  it("refuses an unknown sort field with 422 naming the allowed ones", async () => {
    for (const sort of ["nosuch", "-nosuch", "--name", "workspaceId"]) {
      const problem = expectProblem(await call(listJobs, { path: `/api/v1/jobs?sort=${sort}`, token }), 422);
      expect(problem.errors).toEqual([
        { path: "sort", message: "must be one of name, createdAt, updatedAt, lastRunAt, optionally prefixed with - for descending" },
      ]);
    }
  });

  it("is documented in the OpenAPI document with its values and default", () => {
    const document = buildOpenApiDocument(BASE_URL) as unknown as {
      paths: Record<string, { get: { parameters: { name: string; in: string; schema: { enum?: string[]; default?: string } }[] } }>;
    };
    const sort = document.paths["/api/v1/jobs"]!.get.parameters.find((p) => p.name === "sort" && p.in === "query");
    expect(sort?.schema.enum).toEqual(["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt", "lastRunAt", "-lastRunAt"]);
    expect(sort?.schema.default).toBe("-createdAt");
  });
});
