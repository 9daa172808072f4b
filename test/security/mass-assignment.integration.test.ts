import { beforeEach, describe, expect, it } from "vitest";
import { POST as createConnectionRoute } from "@/app/api/v1/connections/route";
import { PATCH as patchConnectionRoute } from "@/app/api/v1/connections/[id]/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { sql } from "@/lib/db/client";
import { call, expectProblem } from "../api";
import { resetDatabase, resetQueue } from "../db";
import { upload } from "../integration/file-helpers";
import { createTeam } from "../teams";

/**
 * Mass assignment on the objects issue #3 added (connections, files); jobs, members, workspaces,
 * users, tokens and /me are covered by test/api/roles.integration.test.ts. A field the caller may
 * not set is refused with 422 naming it, and a workspace the caller is not in answers 404.
 */

let team: Awaited<ReturnType<typeof createTeam>>;

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  team = await createTeam();
});

const http = { type: "http", name: "Api", auth: { type: "bearer", token: "t0ken" } };

describe("connections", () => {
  it("refuses server-owned fields on create and on update", async () => {
    const created = await call(createConnectionRoute, {
      method: "POST",
      path: "/api/v1/connections",
      token: team.tokens.editor,
      json: { ...http, id: "00000000-0000-4000-8000-000000000000", createdBy: team.outsider.id, createdAt: "2000-01-01T00:00:00Z", secret: "v1.x" },
    });
    expect(expectProblem(created, 422).errors).toEqual([{ path: "", message: 'Unrecognized keys: "id", "createdBy", "createdAt", "secret"' }]);

    const ok = await call(createConnectionRoute, { method: "POST", path: "/api/v1/connections", token: team.tokens.editor, json: http });
    const id = ok.body.id as string;
    for (const json of [{ workspaceId: team.otherWorkspace.id }, { type: "postgres" }, { createdBy: team.outsider.id }, { updatedAt: "2000-01-01T00:00:00Z" }]) {
      const res = await call(patchConnectionRoute, { method: "PATCH", path: `/api/v1/connections/${id}`, params: { id }, token: team.tokens.editor, json });
      expect(expectProblem(res, 422).errors, JSON.stringify(json)).toEqual([{ path: "", message: `Unrecognized key: "${Object.keys(json)[0]}"` }]);
    }
    const [row] = await sql<{ workspace_id: string; type: string; created_by: string }[]>`SELECT workspace_id, type, created_by FROM connections WHERE id = ${id}`;
    expect(row).toEqual({ workspace_id: team.workspace.id, type: "http", created_by: team.editor.id });
  });

  it("answers 404 for a workspace the caller is not a member of", async () => {
    const res = await call(createConnectionRoute, { method: "POST", path: "/api/v1/connections", token: team.tokens.editor, json: { ...http, workspaceId: team.otherWorkspace.id } });
    expectProblem(res, 404);
    const job = await call(createJobRoute, {
      method: "POST",
      path: "/api/v1/jobs",
      token: team.tokens.editor,
      json: { name: "Elsewhere", workspaceId: team.otherWorkspace.id, source: { type: "http", url: "https://api.example.com/x" } },
    });
    expectProblem(job, 404);
    const [counts] = await sql<{ connections: number; jobs: number }[]>`SELECT (SELECT count(*)::int FROM connections) AS connections, (SELECT count(*)::int FROM jobs) AS jobs`;
    expect(counts).toEqual({ connections: 0, jobs: 0 });
  });
});

describe("files", () => {
  it("uploads only into the caller's workspaces", async () => {
    const foreign = await upload(team.editor.id, "x.csv", "a\n1\n", `?workspaceId=${team.otherWorkspace.id}`);
    expect(foreign.status).toBe(404);
    const unknownParameter = await upload(team.editor.id, "x.csv", "a\n1\n", "?createdBy=someone");
    expect(unknownParameter.status).toBe(201);
    const [row] = await sql<{ workspace_id: string; created_by: string }[]>`SELECT workspace_id, created_by FROM files`;
    expect(row).toEqual({ workspace_id: team.workspace.id, created_by: team.editor.id });
  });
});
