import { beforeEach, describe, expect, it } from "vitest";
import { GET as readAudit } from "@/app/api/v1/audit/route";
import { DELETE as deleteJob, GET as getJob, PATCH as patchJob } from "@/app/api/v1/jobs/[id]/route";
import { POST as triggerRun } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as me, PATCH as patchMe } from "@/app/api/v1/me/route";
import { POST as cancelRun } from "@/app/api/v1/runs/[id]/cancel/route";
import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { POST as createToken } from "@/app/api/v1/tokens/route";
import { GET as listUsers, POST as createUser_ } from "@/app/api/v1/users/route";
import { PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { DELETE as removeMember, PATCH as patchMember } from "@/app/api/v1/workspaces/[id]/members/[userId]/route";
import { GET as listMembers, POST as addMember } from "@/app/api/v1/workspaces/[id]/members/route";
import { DELETE as deleteWorkspace, PATCH as patchWorkspace } from "@/app/api/v1/workspaces/[id]/route";
import { POST as createWorkspace } from "@/app/api/v1/workspaces/route";
import { db } from "@/lib/db/client";
import { getJob as jobRow } from "@/lib/db/queries/jobs";
import { insertRun } from "@/lib/db/queries/runs";
import { listMembers as memberRows } from "@/lib/db/queries/workspaces";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { createJob as insertJob } from "../integration/jobs";
import { createTeam, makeInstanceAdmin } from "../teams";

type Team = Awaited<ReturnType<typeof createTeam>>;
let team: Team;
let jobId: string;
let runId: string;
let callers: Record<"viewer" | "editor" | "admin" | "outsider" | "cappedViewer" | "cappedEditor", string>;

const definition = { source: { type: "http", url: "https://shop.example.com/orders" } };

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  team = await createTeam();
  const job = await insertJob({ workspaceId: team.workspace.id, userId: team.admin.id, name: "Orders", definition });
  jobId = job.id;
  runId = (await insertRun(db, { jobId, workspaceId: job.workspaceId, trigger: "api", definition: job.definition })).id;
  callers = {
    ...team.tokens,
    cappedViewer: await team.capped("viewer"),
    cappedEditor: await team.capped("editor"),
  };
});

type Caller = keyof typeof callers;
type Expectations = Record<Caller, number>;

/** Calls one endpoint as each kind of caller and returns the statuses, to compare with the table. */
async function statuses(send: (token: string) => Promise<{ status: number }>, order: Caller[]) {
  const result: Partial<Expectations> = {};
  for (const caller of order) result[caller] = (await send(callers[caller])).status;
  return result;
}

// The non-admin callers first, so denied writes are tried before an allowed one changes state.
const ALL: Caller[] = ["outsider", "viewer", "cappedViewer", "editor", "cappedEditor", "admin"];

describe("role matrix: jobs and runs", () => {
  it("reads a job: every member, including a capped token; 404 for the outsider", async () => {
    expect(await statuses((token) => call(getJob, { path: `/api/v1/jobs/${jobId}`, params: { id: jobId }, token }), ALL)).toEqual({
      outsider: 404,
      viewer: 200,
      cappedViewer: 200,
      editor: 200,
      cappedEditor: 200,
      admin: 200,
    });
  });

  it("updates a job: editors and admins; 403 for viewers and viewer-capped tokens; 404 for the outsider", async () => {
    const send = (token: string) =>
      call(patchJob, { method: "PATCH", path: `/api/v1/jobs/${jobId}`, params: { id: jobId }, token, json: { description: token.slice(0, 12) } });
    const seen = await statuses(send, ["outsider", "viewer", "cappedViewer"]);
    expect(seen).toEqual({ outsider: 404, viewer: 403, cappedViewer: 403 });
    // Nothing changed.
    expect((await jobRow(db, jobId))?.description).toBeNull();
    expect(await statuses(send, ["editor", "cappedEditor", "admin"])).toEqual({ editor: 200, cappedEditor: 200, admin: 200 });
    expect((await jobRow(db, jobId))?.description).toBe(callers.admin.slice(0, 12));
  });

  it("triggers a run: editors and admins (202); 403 for viewers; 404 for the outsider", async () => {
    const send = (token: string) => call(triggerRun, { method: "POST", path: `/api/v1/jobs/${jobId}/runs`, params: { id: jobId }, token });
    expect(await statuses(send, ALL)).toEqual({
      outsider: 404,
      viewer: 403,
      cappedViewer: 403,
      editor: 202,
      cappedEditor: 202,
      admin: 202,
    });
  });

  it("reads and cancels a run: viewers read, editors cancel, the outsider gets 404 for both", async () => {
    const read = (token: string) => call(getRun, { path: `/api/v1/runs/${runId}`, params: { id: runId }, token });
    expect(await statuses(read, ALL)).toEqual({ outsider: 404, viewer: 200, cappedViewer: 200, editor: 200, cappedEditor: 200, admin: 200 });

    const cancel = (token: string) => call(cancelRun, { method: "POST", path: `/api/v1/runs/${runId}/cancel`, params: { id: runId }, token });
    expect(await statuses(cancel, ["outsider", "viewer", "cappedViewer", "cappedEditor"])).toEqual({
      outsider: 404,
      viewer: 403,
      cappedViewer: 403,
      cappedEditor: 200,
    });
  });

  it("deletes a job: 404 for the outsider, 403 for viewers, 204 for an editor; the job is gone afterwards", async () => {
    const send = (token: string) => call(deleteJob, { method: "DELETE", path: `/api/v1/jobs/${jobId}`, params: { id: jobId }, token });
    expect(await statuses(send, ["outsider", "viewer", "cappedViewer"])).toEqual({ outsider: 404, viewer: 403, cappedViewer: 403 });
    expect(await jobRow(db, jobId)).toBeDefined();
    // The job's run is pending, and a job with an active run is not deleted until that run is cancelled.
    expect((await send(callers.editor)).status).toBe(409);
    await call(cancelRun, { method: "POST", path: `/api/v1/runs/${runId}/cancel`, params: { id: runId }, token: callers.editor });
    expect((await send(callers.editor)).status).toBe(204);
    expect(await jobRow(db, jobId)).toBeUndefined();
  });

  it("creates a job in another workspace named by id: 404, as if it did not exist", async () => {
    const res = await call(createJob, {
      method: "POST",
      path: "/api/v1/jobs",
      token: callers.admin,
      json: { name: "Sneaky", workspaceId: team.otherWorkspace.id, ...definition },
    });
    expect(expectProblem(res, 404).detail).toBe("The workspace does not exist.");
  });
});

describe("role matrix: members", () => {
  const path = () => `/api/v1/workspaces/${team.workspace.id}/members`;

  it("lists members: every member, 404 for the outsider", async () => {
    const send = (token: string) => call(listMembers, { path: path(), params: { id: team.workspace.id }, token });
    expect(await statuses(send, ALL)).toEqual({ outsider: 404, viewer: 200, cappedViewer: 200, editor: 200, cappedEditor: 200, admin: 200 });
    const list = await send(callers.viewer);
    expect(list.body.results.map((m: { email: string; role: string }) => `${m.email}:${m.role}`)).toEqual([
      `${team.admin.email}:admin`,
      `${team.editor.email}:editor`,
      `${team.viewer.email}:viewer`,
    ]);
  });

  it("adds, changes and removes members: admins only; everybody else changes nothing", async () => {
    const { user: newcomer } = await createUser("newcomer");
    const add = (token: string) =>
      call(addMember, { method: "POST", path: path(), params: { id: team.workspace.id }, token, json: { email: newcomer.email, role: "viewer" } });
    const promote = (token: string) =>
      call(patchMember, {
        method: "PATCH",
        path: `${path()}/${team.viewer.id}`,
        params: { id: team.workspace.id, userId: team.viewer.id },
        token,
        json: { role: "admin" },
      });
    const remove = (token: string) =>
      call(removeMember, {
        method: "DELETE",
        path: `${path()}/${team.editor.id}`,
        params: { id: team.workspace.id, userId: team.editor.id },
        token,
      });
    const denied: Caller[] = ["outsider", "viewer", "cappedViewer", "editor", "cappedEditor"];
    const expected = { outsider: 404, viewer: 403, cappedViewer: 403, editor: 403, cappedEditor: 403 };
    expect(await statuses(add, denied)).toEqual(expected);
    expect(await statuses(promote, denied)).toEqual(expected);
    expect(await statuses(remove, denied)).toEqual(expected);
    const roles = async () => (await memberRows(db, team.workspace.id)).map((m) => `${m.email}:${m.role}`);
    expect(await roles()).toEqual([`${team.admin.email}:admin`, `${team.editor.email}:editor`, `${team.viewer.email}:viewer`]);

    expect((await add(callers.admin)).status).toBe(201);
    expect((await promote(callers.admin)).status).toBe(200);
    expect((await remove(callers.admin)).status).toBe(204);
    expect(await roles()).toEqual([`${team.admin.email}:admin`, `${newcomer.email}:viewer`, `${team.viewer.email}:admin`]);
  });

  it("renames a workspace: admins only; the outsider gets 404", async () => {
    const send = (token: string) =>
      call(patchWorkspace, {
        method: "PATCH",
        path: `/api/v1/workspaces/${team.workspace.id}`,
        params: { id: team.workspace.id },
        token,
        json: { name: "Renamed" },
      });
    expect(await statuses(send, ALL)).toEqual({ outsider: 404, viewer: 403, cappedViewer: 403, editor: 403, cappedEditor: 403, admin: 200 });
  });
});

describe("role matrix: instance administration and the audit log", () => {
  it("users and workspace creation and deletion: instance admins only, never through a capped token", async () => {
    await makeInstanceAdmin(team.admin.id);
    const cappedAdmin = await team.capped("editor");
    const list = (token: string) => call(listUsers, { path: "/api/v1/users", token });
    expect((await list(callers.outsider)).status).toBe(403);
    expect((await list(cappedAdmin)).status).toBe(403);
    expect((await list(callers.admin)).status).toBe(200);

    const newWorkspace = (token: string) => call(createWorkspace, { method: "POST", path: "/api/v1/workspaces", token, json: { name: "New" } });
    expect((await newWorkspace(callers.outsider)).status).toBe(403);
    expect((await newWorkspace(cappedAdmin)).status).toBe(403);
    const created = await newWorkspace(callers.admin);
    expect(created.status).toBe(201);

    const remove = (token: string, id: string) => call(deleteWorkspace, { method: "DELETE", path: `/api/v1/workspaces/${id}`, params: { id }, token });
    // The outsider administers their own workspace, but deleting workspaces is for instance admins.
    expect((await remove(callers.outsider, team.otherWorkspace.id)).status).toBe(403);
    expect((await remove(cappedAdmin, created.body.id)).status).toBe(403);
    expect((await remove(callers.admin, created.body.id)).status).toBe(204);
  });

  it("reads the audit log: workspace admins (their workspaces only), 403 for viewers, editors and capped tokens", async () => {
    const send = (token: string) => call(readAudit, { path: "/api/v1/audit", token });
    expect(await statuses(send, ALL)).toEqual({ outsider: 200, viewer: 403, cappedViewer: 403, editor: 403, cappedEditor: 403, admin: 200 });
  });

  it("an instance admin who is not a member manages the workspace's members but cannot see its jobs", async () => {
    const { user: root } = await createUser("root");
    await makeInstanceAdmin(root.id);
    const token = await apiToken(root.id);
    const members = await call(listMembers, {
      path: `/api/v1/workspaces/${team.workspace.id}/members`,
      params: { id: team.workspace.id },
      token,
    });
    expect(members.status).toBe(200);
    expect(members.body.count).toBe(3);
    expectProblem(await call(getJob, { path: `/api/v1/jobs/${jobId}`, params: { id: jobId }, token }), 404);
  });
});

describe("role-capped tokens", () => {
  it("act with min(role, cap) everywhere and never as instance admin", async () => {
    await makeInstanceAdmin(team.admin.id);
    const res = await call(me, { path: "/api/v1/me", token: callers.cappedViewer });
    expect(res.body).toEqual({
      id: team.admin.id,
      email: team.admin.email,
      isInstanceAdmin: false,
      memberships: [{ workspaceId: team.workspace.id, role: "viewer", isDefault: true }],
      roleCap: "viewer",
    });
    // A capped token of an editor stays an editor; the cap never raises a role.
    const editorCapped = await team.capped("editor", team.viewer.id);
    expect((await call(me, { path: "/api/v1/me", token: editorCapped })).body.memberships).toEqual([
      { workspaceId: team.workspace.id, role: "viewer", isDefault: true },
    ]);
  });

  it("cannot mint tokens (which could be uncapped)", async () => {
    const res = await call(createToken, { method: "POST", path: "/api/v1/tokens", token: callers.cappedEditor, json: { name: "escape" } });
    expectProblem(res, 403);
  });
});

describe("mass assignment: fields a caller may not set are rejected with 422, never applied", () => {
  const fieldsOf = (res: { status: number; body: { errors?: { path: string; message: string }[] } }) => {
    expect(res.status).toBe(422);
    return (res.body.errors ?? []).map((e) => `${e.path || "(body)"}: ${e.message}`);
  };

  it("jobs: owner, timestamps, id and status on create; the workspace on update", async () => {
    const create = await call(createJob, {
      method: "POST",
      path: "/api/v1/jobs",
      token: callers.admin,
      json: { name: "X", ...definition, id: "11111111-1111-4111-8111-111111111111", createdBy: team.outsider.id, createdAt: "2020-01-01T00:00:00Z", status: "success" },
    });
    expect(fieldsOf(create)).toEqual(['(body): Unrecognized keys: "id", "createdBy", "createdAt", "status"']);

    const move = await call(patchJob, {
      method: "PATCH",
      path: `/api/v1/jobs/${jobId}`,
      params: { id: jobId },
      token: callers.admin,
      json: { workspaceId: team.otherWorkspace.id, updatedAt: "2020-01-01T00:00:00Z" },
    });
    expect(fieldsOf(move)).toEqual(['(body): Unrecognized keys: "workspaceId", "updatedAt"']);
    expect((await jobRow(db, jobId))?.workspaceId).toBe(team.workspace.id);
  });

  it("members, workspaces, users, tokens and the caller's own profile", async () => {
    await makeInstanceAdmin(team.admin.id);
    const token = callers.admin;
    const ws = team.workspace.id;
    const attempts = [
      call(addMember, { method: "POST", path: "/", params: { id: ws }, token, json: { email: team.outsider.email, role: "viewer", isDefault: true, workspaceId: team.otherWorkspace.id } }),
      call(patchMember, { method: "PATCH", path: "/", params: { id: ws, userId: team.viewer.id }, token, json: { role: "editor", userId: team.admin.id } }),
      call(patchWorkspace, { method: "PATCH", path: "/", params: { id: ws }, token, json: { name: "N", createdAt: "2020-01-01T00:00:00Z" } }),
      call(createUser_, { method: "POST", path: "/", token, json: { email: "x@example.test", name: "X", password: "long enough", id: team.admin.id, deactivatedAt: null } }),
      call(patchUser, { method: "PATCH", path: "/", params: { id: team.viewer.id }, token, json: { email: "new@example.test", passwordHash: "x" } }),
      call(createToken, { method: "POST", path: "/", token, json: { name: "t", userId: team.outsider.id, lastUsedAt: null } }),
      call(patchMe, { method: "PATCH", path: "/", token, json: { defaultWorkspaceId: ws, isInstanceAdmin: true } }),
    ];
    const problems = [];
    for (const attempt of attempts) problems.push(fieldsOf(await attempt));
    expect(problems).toEqual([
      ['(body): Unrecognized keys: "isDefault", "workspaceId"'],
      ['(body): Unrecognized key: "userId"'],
      ['(body): Unrecognized key: "createdAt"'],
      ['(body): Unrecognized keys: "id", "deactivatedAt"'],
      ['(body): Unrecognized keys: "email", "passwordHash"'],
      ['(body): Unrecognized keys: "userId", "lastUsedAt"'],
      ['(body): Unrecognized key: "isInstanceAdmin"'],
    ]);
    // Roles may be set, but only to one of the three roles, and a token's cap only below admin.
    const badRole = await call(patchMember, { method: "PATCH", path: "/", params: { id: ws, userId: team.viewer.id }, token, json: { role: "owner" } });
    expect(fieldsOf(badRole)).toEqual(['role: Invalid option: expected one of "viewer"|"editor"|"admin"']);
    const adminCap = await call(createToken, { method: "POST", path: "/", token, json: { name: "t", roleCap: "admin" } });
    expect(fieldsOf(adminCap)).toEqual(['roleCap: Invalid option: expected one of "viewer"|"editor"']);
  });
});
