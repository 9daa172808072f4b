import { beforeEach, describe, expect, it } from "vitest";
import { POST as createTokenWithPassword } from "@/app/api/v1/auth/token/route";
import { GET as getJob } from "@/app/api/v1/jobs/[id]/route";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as me, PATCH as patchMe } from "@/app/api/v1/me/route";
import { DELETE as deleteUser, GET as getUser, PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { GET as listUsers, POST as createUserRoute } from "@/app/api/v1/users/route";
import { DELETE as removeMember, PATCH as patchMember } from "@/app/api/v1/workspaces/[id]/members/[userId]/route";
import { POST as addMember } from "@/app/api/v1/workspaces/[id]/members/route";
import { DELETE as deleteWorkspace, GET as getWorkspace } from "@/app/api/v1/workspaces/[id]/route";
import { GET as listWorkspaces, POST as createWorkspace } from "@/app/api/v1/workspaces/route";
import { authOptions } from "@/lib/auth/options";
import { db, sql } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { listMemberships } from "@/lib/db/queries/users";
import { datasets } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { apiToken, call, expectProblem, sessionCookie } from "../api";
import { createUser, datasetSchemaTables, resetDatabase, TEST_PASSWORD } from "../db";
import { createJob as insertJob } from "../integration/jobs";
import { auditTrail, createTeam, makeInstanceAdmin } from "../teams";

beforeEach(async () => {
  await resetDatabase();
});

const source = { type: "http", url: "https://shop.example.com/orders" };

describe("workspaces", () => {
  it("lists the caller's workspaces with their role; instance admins can list all", async () => {
    const team = await createTeam();
    const mine = await call(listWorkspaces, { path: "/api/v1/workspaces", token: team.tokens.viewer });
    expect(mine.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [{ id: team.workspace.id, name: team.workspace.name, createdAt: team.workspace.createdAt.toISOString(), memberCount: 3, role: "viewer" }],
    });
    expectProblem(await call(listWorkspaces, { path: "/api/v1/workspaces?all=true", token: team.tokens.viewer }), 403);

    await makeInstanceAdmin(team.viewer.id);
    const all = await call(listWorkspaces, { path: "/api/v1/workspaces?all=true", token: team.tokens.viewer });
    expect(all.body.results.map((w: { name: string; role: string | null }) => [w.name, w.role])).toEqual([
      [team.workspace.name, "viewer"],
      [team.otherWorkspace.name, null],
    ]);
  });

  it("creates a workspace whose creator is its admin; strangers get 404, instance admins read it", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const created = await call(createWorkspace, { method: "POST", path: "/", token: team.tokens.admin, json: { name: "  Marketing  " } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Marketing", memberCount: 1, role: "admin" });
    const id = created.body.id;
    expectProblem(await call(getWorkspace, { path: "/", params: { id }, token: team.tokens.outsider }), 404);
    expectProblem(await call(createWorkspace, { method: "POST", path: "/", token: team.tokens.admin, json: { name: "" } }), 422);
  });

  it("deletes a workspace with its jobs and their dataset tables", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.outsider.id);
    const job = await insertJob({ workspaceId: team.workspace.id, userId: team.admin.id, name: "J", definition: { source } });
    const table = datasetTableName(job.id);
    await sql.unsafe(`CREATE TABLE "${env.DATASET_SCHEMA}"."${table}" (_run_id uuid, _row bigint)`);
    await db.insert(datasets).values({ jobId: job.id, workspaceId: team.workspace.id, tableName: table, columns: [] });
    expect(await datasetSchemaTables()).toEqual([table]);

    const res = await call(deleteWorkspace, { method: "DELETE", path: "/", params: { id: team.workspace.id }, token: team.tokens.outsider });
    expect(res.status).toBe(204);
    expect(await datasetSchemaTables()).toEqual([]);
    expect(await listMemberships(db, team.editor.id)).toEqual([]);
    // Its former members see nothing of it.
    expectProblem(await call(getJob, { path: "/", params: { id: job.id }, token: team.tokens.admin }), 404);
    expectProblem(await call(deleteWorkspace, { method: "DELETE", path: "/", params: { id: team.workspace.id }, token: team.tokens.outsider }), 404);
  });

  it("switches the default workspace, where jobs without a workspaceId land", async () => {
    const team = await createTeam();
    const { user: joiner, workspace: own } = await createUser("joiner");
    await call(addMember, { method: "POST", path: "/", params: { id: team.workspace.id }, token: team.tokens.admin, json: { email: joiner.email, role: "editor" } });
    const token = await apiToken(joiner.id);
    const switched = await call(patchMe, { method: "PATCH", path: "/", token, json: { defaultWorkspaceId: team.workspace.id } });
    expect(switched.status).toBe(200);
    expect(switched.body.memberships).toEqual(
      expect.arrayContaining([
        { workspaceId: team.workspace.id, role: "editor", isDefault: true },
        { workspaceId: own.id, role: "admin", isDefault: false },
      ]),
    );
    const job = await call(createJob, { method: "POST", path: "/", token, json: { name: "Lands", source } });
    expect(job.body.workspaceId).toBe(team.workspace.id);
    expectProblem(await call(patchMe, { method: "PATCH", path: "/", token, json: { defaultWorkspaceId: team.otherWorkspace.id } }), 404);
  });
});

describe("members", () => {
  it("adds existing users by email: 422 for an unknown email, 409 for a member; the first workspace becomes the default", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const loner = await call(createUserRoute, {
      method: "POST",
      path: "/",
      token: team.tokens.admin,
      json: { email: "loner@example.test", name: "Loner", password: "long password", personalWorkspace: false },
    });
    expect(await listMemberships(db, loner.body.id)).toEqual([]);
    const add = (email: string) =>
      call(addMember, { method: "POST", path: "/", params: { id: team.workspace.id }, token: team.tokens.admin, json: { email, role: "editor" } });
    const added = await add("LONER@example.test");
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ userId: loner.body.id, email: "loner@example.test", name: "Loner", role: "editor", active: true, createdAt: expect.any(String) });
    expect(await listMemberships(db, loner.body.id)).toEqual([{ workspaceId: team.workspace.id, role: "editor", isDefault: true }]);
    expect(expectProblem(await add("loner@example.test"), 409).detail).toBe("This user is already a member; change their role instead.");
    expect(expectProblem(await add("nobody@example.test"), 422).errors).toEqual([{ path: "email", message: "no user with this email" }]);
  });

  it("never demotes or removes the last active admin", async () => {
    const team = await createTeam();
    const ws = team.workspace.id;
    const demote = (userId: string, role: string) =>
      call(patchMember, { method: "PATCH", path: "/", params: { id: ws, userId }, token: team.tokens.admin, json: { role } });
    const remove = (userId: string) => call(removeMember, { method: "DELETE", path: "/", params: { id: ws, userId }, token: team.tokens.admin });
    const lastAdmin = "A workspace needs at least one active admin: make someone else admin first.";
    expect(expectProblem(await demote(team.admin.id, "editor"), 409).detail).toBe(lastAdmin);
    expect(expectProblem(await remove(team.admin.id), 409).detail).toBe(lastAdmin);

    // A deactivated admin does not count.
    expect((await demote(team.editor.id, "admin")).status).toBe(200);
    await makeInstanceAdmin(team.outsider.id);
    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.editor.id }, token: team.tokens.outsider, json: { active: false } });
    expectProblem(await remove(team.admin.id), 409);

    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.editor.id }, token: team.tokens.outsider, json: { active: true } });
    expect((await remove(team.admin.id)).status).toBe(204);
    expectProblem(await remove(team.admin.id), 404);
  });

  it("a removed member loses access on the next request", async () => {
    const team = await createTeam();
    const job = await insertJob({ workspaceId: team.workspace.id, userId: team.admin.id, name: "J", definition: { source } });
    const read = () => call(getJob, { path: "/", params: { id: job.id }, token: team.tokens.viewer });
    expect((await read()).status).toBe(200);
    await call(removeMember, { method: "DELETE", path: "/", params: { id: team.workspace.id, userId: team.viewer.id }, token: team.tokens.admin });
    expectProblem(await read(), 404);
  });
});

describe("users (instance admin)", () => {
  it("lists users with search and paging", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const page = await call(listUsers, { path: "/api/v1/users?q=EDITOR&pageSize=1", token: team.tokens.admin });
    expect(page.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [
        {
          id: team.editor.id,
          email: team.editor.email,
          name: team.editor.name,
          isInstanceAdmin: false,
          active: true,
          createdAt: team.editor.createdAt.toISOString(),
          deactivatedAt: null,
        },
      ],
    });
    expect((await call(listUsers, { path: "/api/v1/users?pageSize=2", token: team.tokens.admin })).body.count).toBe(4);
  });

  it("creates a user who can sign in; deactivation stops sign-in, sessions and tokens at once; reactivation restores them", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const created = await call(createUserRoute, {
      method: "POST",
      path: "/",
      token: team.tokens.admin,
      json: { email: "ann@example.test", name: "Ann", password: TEST_PASSWORD },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const exchange = () =>
      call(createTokenWithPassword, { method: "POST", path: "/", json: { email: "ann@example.test", password: TEST_PASSWORD, name: "x" } });
    const token = (await exchange()).body.token as string;
    const cookie = await sessionCookie(id);
    const asToken = () => call(me, { path: "/", token });
    const asSession = () => call(me, { path: "/", headers: { cookie } });
    expect([(await asToken()).status, (await asSession()).status]).toEqual([200, 200]);

    const off = await call(patchUser, { method: "PATCH", path: "/", params: { id }, token: team.tokens.admin, json: { active: false } });
    expect(off.body).toMatchObject({ active: false, deactivatedAt: expect.any(String) });
    expect([(await asToken()).status, (await asSession()).status, (await exchange()).status]).toEqual([401, 401, 401]);
    // The browser session is dropped too: next-auth clears the cookie when the jwt callback refuses.
    await expect(authOptions.callbacks!.jwt!({ token: { sub: id }, user: undefined as never, account: null })).rejects.toThrow(
      "The account is no longer active.",
    );
    expect((await auditTrail()).at(-1)).toMatchObject({ action: "auth.sign_in_failed", details: { purpose: "api_token", reason: "deactivated" } });

    await call(patchUser, { method: "PATCH", path: "/", params: { id }, token: team.tokens.admin, json: { active: true } });
    expect([(await asToken()).status, (await exchange()).status]).toEqual([200, 201]);
    expect((await call(getUser, { path: "/", params: { id }, token: team.tokens.admin })).body).toMatchObject({ active: true, deactivatedAt: null });
  });

  it("sets a new password: the old one stops working", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.viewer.id }, token: team.tokens.admin, json: { password: "brand new password" } });
    const exchange = (password: string) =>
      call(createTokenWithPassword, { method: "POST", path: "/", json: { email: team.viewer.email, password, name: "x" } });
    expect((await exchange(TEST_PASSWORD)).status).toBe(401);
    expect((await exchange("brand new password")).status).toBe(201);
  });

  it("refuses to lock the instance out: self-deactivation, the last instance admin, a workspace's only admin", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const token = team.tokens.admin;
    const patch = (id: string, json: unknown) => call(patchUser, { method: "PATCH", path: "/", params: { id }, token, json });
    const remove = (id: string) => call(deleteUser, { method: "DELETE", path: "/", params: { id }, token });

    expect(expectProblem(await patch(team.admin.id, { active: false }), 409).detail).toBe(
      "You cannot deactivate yourself or drop your own instance admin role.",
    );
    expect(expectProblem(await remove(team.admin.id), 409).detail).toBe("You cannot delete your own account.");

    // Another instance admin may not take away the last one either.
    await makeInstanceAdmin(team.viewer.id);
    const viewerToken = team.tokens.viewer;
    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.viewer.id }, token, json: { isInstanceAdmin: false } });
    expect(
      expectProblem(await call(patchUser, { method: "PATCH", path: "/", params: { id: team.admin.id }, token: viewerToken, json: { active: false } }), 403),
    ).toBeTruthy();
    await makeInstanceAdmin(team.outsider.id);
    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.outsider.id }, token, json: { active: false } });
    // team.admin is now the only active instance admin; the outsider (deactivated) cannot act.
    expectProblem(await call(deleteUser, { method: "DELETE", path: "/", params: { id: team.admin.id }, token: team.tokens.outsider }), 401);

    // The admin is the only admin of a workspace with other members: deleting them would orphan it.
    await call(patchUser, { method: "PATCH", path: "/", params: { id: team.outsider.id }, token, json: { active: true } });
    const orphaning = await call(deleteUser, { method: "DELETE", path: "/", params: { id: team.admin.id }, token: team.tokens.outsider });
    expect(expectProblem(orphaning, 409).detail).toBe(
      `The user is the only admin of workspaces that have other members (${team.workspace.id}): give them another admin first.`,
    );
    expect((await remove(team.editor.id)).status).toBe(204);
    expect(await listMemberships(db, team.editor.id)).toEqual([]);
    expectProblem(await remove(team.editor.id), 404);
  });
});
