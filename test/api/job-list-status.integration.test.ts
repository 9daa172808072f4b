import { beforeEach, describe, expect, it } from "vitest";
import { GET as listJobs } from "@/app/api/v1/jobs/route";
import { db, sql } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase } from "../db";
import { createJob } from "../integration/jobs";

let token: string;

beforeEach(async () => {
  await resetDatabase();
  const { user, workspace } = await createUser("analyst");
  token = await apiToken(user.id);
  const definition = { source: { type: "http", url: "https://api.example.com/items" } };
  const job = (name: string) => createJob({ workspaceId: workspace.id, userId: user.id, name, definition });
  /** Runs of a job, oldest first, one minute apart. */
  const history = async (name: string, statuses: string[]) => {
    const created = await job(name);
    for (const [i, status] of statuses.entries()) {
      const run = await insertRun(db, { jobId: created.id, workspaceId: created.workspaceId, trigger: "api", definition: created.definition });
      await sql`UPDATE runs SET status = ${status}::run_status, created_at = now() - make_interval(mins => ${statuses.length - i}) WHERE id = ${run.id}`;
    }
  };
  await history("Recovered", ["failed", "success"]);
  await history("Broken", ["success", "failed"]);
  await history("Busy", ["failed", "running"]);
  await history("Fresh", []);
});

const names = async (query: string) => {
  const res = await call(listJobs, { path: `/api/v1/jobs${query}`, token });
  expect(res.status).toBe(200);
  return { names: (res.body.results as { name: string }[]).map((j) => j.name).sort(), count: res.body.count };
};

describe("GET /api/v1/jobs?lastStatus=", () => {
  it("keeps the jobs whose newest run has the status, whatever their older runs were", async () => {
    expect(await names("?lastStatus=failed")).toEqual({ names: ["Broken"], count: 1 });
    expect(await names("?lastStatus=success")).toEqual({ names: ["Recovered"], count: 1 });
    expect(await names("?lastStatus=running")).toEqual({ names: ["Busy"], count: 1 });
    expect(await names("?lastStatus=cancelled")).toEqual({ names: [], count: 0 });
  });

  it("finds jobs that never ran, combines with the search, and refuses unknown statuses", async () => {
    expect(await names("?lastStatus=never")).toEqual({ names: ["Fresh"], count: 1 });
    expect(await names("?lastStatus=failed&q=rok")).toEqual({ names: ["Broken"], count: 1 });
    expect(await names("?lastStatus=failed&q=fresh")).toEqual({ names: [], count: 0 });
    expect(await names("")).toEqual({ names: ["Broken", "Busy", "Fresh", "Recovered"], count: 4 });
    expect(expectProblem(await call(listJobs, { path: "/api/v1/jobs?lastStatus=exploded", token }), 422).errors?.[0]?.path).toBe("lastStatus");
  });
});
