import { beforeEach, describe, expect, it } from "vitest";
import { GET as readAudit } from "@/app/api/v1/audit/route";
import { POST as createTokenWithPassword } from "@/app/api/v1/auth/token/route";
import { DELETE as deleteJob, PATCH as patchJob } from "@/app/api/v1/jobs/[id]/route";
import { POST as triggerRun } from "@/app/api/v1/jobs/[id]/runs/route";
import { DELETE as deleteFile } from "@/app/api/v1/files/[id]/route";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { POST as cancelRun } from "@/app/api/v1/runs/[id]/cancel/route";
import { DELETE as revokeToken } from "@/app/api/v1/tokens/[id]/route";
import { POST as createToken } from "@/app/api/v1/tokens/route";
import { DELETE as deleteUser, PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { POST as createUserRoute } from "@/app/api/v1/users/route";
import { DELETE as removeMember, PATCH as patchMember } from "@/app/api/v1/workspaces/[id]/members/[userId]/route";
import { POST as addMember } from "@/app/api/v1/workspaces/[id]/members/route";
import { DELETE as deleteWorkspace, PATCH as renameWorkspace } from "@/app/api/v1/workspaces/[id]/route";
import { POST as createWorkspace } from "@/app/api/v1/workspaces/route";
import { authOptions } from "@/lib/auth/options";
import { redactSecrets } from "@/lib/services/audit";
import { call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue, TEST_PASSWORD } from "../db";
import { browserHeaders, uploadOk } from "../integration/file-helpers";
import { auditTrail, createTeam, makeInstanceAdmin } from "../teams";

const IP = "192.0.2.44";
const headers = { "x-forwarded-for": IP };

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
});

describe("what the audit trail records", () => {
  it("job changes, runs triggered and cancelled: who, what, where, from which address", async () => {
    const team = await createTeam();
    const token = team.tokens.editor;
    const created = await call(createJob, {
      method: "POST",
      path: "/",
      token,
      headers,
      json: { name: "Orders", workspaceId: team.workspace.id, source: { type: "http", url: "https://shop.example.com/o", headers: { authorization: "Bearer s3cret" } } },
    });
    const id = created.body.id;
    await call(patchJob, { method: "PATCH", path: "/", params: { id }, token, headers, json: { description: "d", retry: { attempts: 2, backoffSeconds: 5 } } });
    const run = await call(triggerRun, { method: "POST", path: "/", params: { id }, token, headers });
    await call(cancelRun, { method: "POST", path: "/", params: { id: run.body.id }, token, headers });
    await call(deleteJob, { method: "DELETE", path: "/", params: { id }, token, headers });

    const actor = { actorId: team.editor.id, actorEmail: team.editor.email, ip: IP, workspaceId: team.workspace.id };
    const trail = await auditTrail();
    expect(trail.map(({ tokenId, ...rest }) => ({ ...rest, viaToken: tokenId !== null }))).toEqual([
      { ...actor, viaToken: true, action: "job.create", targetType: "job", targetId: id, details: { name: "Orders", source: "http" } },
      { ...actor, viaToken: true, action: "job.update", targetType: "job", targetId: id, details: { name: "Orders", changed: ["description", "retry"] } },
      { ...actor, viaToken: true, action: "run.trigger", targetType: "run", targetId: run.body.id, details: { jobId: id, jobName: "Orders", trigger: "api" } },
      { ...actor, viaToken: true, action: "run.cancel", targetType: "run", targetId: run.body.id, details: { jobId: id, previousStatus: "pending" } },
      { ...actor, viaToken: true, action: "job.delete", targetType: "job", targetId: id, details: { name: "Orders" } },
    ]);
    // The source's credentials never reach the trail.
    expect(JSON.stringify(trail)).not.toContain("s3cret");
  });

  it("members, workspaces, users and tokens; passwords and token secrets never appear", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    const token = team.tokens.admin;
    const ws = await call(createWorkspace, { method: "POST", path: "/", token, headers, json: { name: "Data team" } });
    await call(renameWorkspace, { method: "PATCH", path: "/", params: { id: ws.body.id }, token, headers, json: { name: "Analytics" } });
    const user = await call(createUserRoute, {
      method: "POST",
      path: "/",
      token,
      headers,
      json: { email: "new@example.test", name: "New", password: "a long password", personalWorkspace: false },
    });
    const userId = user.body.id;
    await call(addMember, { method: "POST", path: "/", params: { id: ws.body.id }, token, headers, json: { email: "new@example.test", role: "viewer" } });
    await call(patchMember, { method: "PATCH", path: "/", params: { id: ws.body.id, userId }, token, headers, json: { role: "editor" } });
    await call(removeMember, { method: "DELETE", path: "/", params: { id: ws.body.id, userId }, token, headers });
    await call(patchUser, { method: "PATCH", path: "/", params: { id: userId }, token, headers, json: { password: "another long one", active: false } });
    await call(deleteUser, { method: "DELETE", path: "/", params: { id: userId }, token, headers });
    await call(deleteWorkspace, { method: "DELETE", path: "/", params: { id: ws.body.id }, token, headers });
    const minted = await call(createToken, { method: "POST", path: "/", token, headers, json: { name: "ci", roleCap: "viewer" } });
    await call(revokeToken, { method: "DELETE", path: "/", params: { id: minted.body.id }, token, headers });

    const trail = await auditTrail();
    expect(trail.map((e) => [e.action, e.targetType, e.targetId, e.workspaceId, e.details])).toEqual([
      ["workspace.create", "workspace", ws.body.id, ws.body.id, { name: "Data team" }],
      ["workspace.update", "workspace", ws.body.id, ws.body.id, { name: { from: "Data team", to: "Analytics" } }],
      ["user.create", "user", userId, null, { email: "new@example.test", isInstanceAdmin: false, personalWorkspace: false }],
      ["member.add", "user", userId, ws.body.id, { email: "new@example.test", role: "viewer" }],
      ["member.update", "user", userId, ws.body.id, { email: "new@example.test", role: { from: "viewer", to: "editor" } }],
      ["member.remove", "user", userId, ws.body.id, { email: "new@example.test", role: "editor" }],
      ["user.update", "user", userId, null, { email: "new@example.test", active: false, passwordChanged: true }],
      ["user.delete", "user", userId, null, { email: "new@example.test" }],
      ["workspace.delete", "workspace", ws.body.id, ws.body.id, { name: "Analytics", memberCount: 1 }],
      ["token.create", "token", minted.body.id, null, { name: "ci", roleCap: "viewer", expiresAt: null }],
      ["token.revoke", "token", minted.body.id, null, { name: "ci" }],
    ]);
    expect(new Set(trail.map((e) => `${e.actorId} ${e.ip}`))).toEqual(new Set([`${team.admin.id} ${IP}`]));
    const text = JSON.stringify(trail);
    for (const secret of ["a long password", "another long one", minted.body.token]) expect(text).not.toContain(secret);
  });

  it("file uploads and deletions, here through the browser session", async () => {
    const team = await createTeam();
    const id = await uploadOk(team.editor.id, "orders.csv", "id,name\n1,Ada\n");
    const removed = await call(deleteFile, { method: "DELETE", path: "/", params: { id }, headers: await browserHeaders(team.editor.id) });
    expect(removed.status).toBe(204);
    const actor = { actorId: team.editor.id, actorEmail: team.editor.email, tokenId: null, ip: null, workspaceId: team.workspace.id };
    expect(await auditTrail()).toEqual([
      {
        ...actor,
        action: "file.upload",
        targetType: "file",
        targetId: id,
        details: { name: "orders.csv", format: "csv", size: 14, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
      { ...actor, action: "file.delete", targetType: "file", targetId: id, details: { name: "orders.csv" } },
    ]);
  });

  it("sign-ins, successful and failed, from the sign-in form and from POST /api/v1/auth/token", async () => {
    const { user } = await createUser("sam");
    const provider = authOptions.providers[0] as unknown as {
      options: { authorize: (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown> };
    };
    await provider.options.authorize({ email: user.email, password: TEST_PASSWORD }, { headers });
    await provider.options.authorize({ email: user.email, password: "wrong" }, { headers });
    await provider.options.authorize({ email: "ghost@example.test", password: "whatever" }, { headers });
    const exchanged = await call(createTokenWithPassword, {
      method: "POST",
      path: "/",
      headers,
      json: { email: user.email, password: TEST_PASSWORD, name: "cli" },
    });
    expectProblem(await call(createTokenWithPassword, { method: "POST", path: "/", headers, json: { email: user.email, password: "bad", name: "cli" } }), 401);

    const signIn = { targetType: "user", workspaceId: null, ip: IP, tokenId: null };
    expect(await auditTrail()).toEqual([
      { ...signIn, action: "auth.sign_in", actorId: user.id, actorEmail: user.email, targetId: user.id, details: { purpose: "session" } },
      { ...signIn, action: "auth.sign_in_failed", actorId: null, actorEmail: user.email, targetId: user.id, details: { purpose: "session", reason: "wrong_credentials" } },
      { ...signIn, action: "auth.sign_in_failed", actorId: null, actorEmail: "ghost@example.test", targetId: null, details: { purpose: "session", reason: "wrong_credentials" } },
      { ...signIn, action: "auth.sign_in", actorId: user.id, actorEmail: user.email, targetId: user.id, details: { purpose: "api_token" } },
      { ...signIn, action: "token.create", actorId: user.id, actorEmail: user.email, targetType: "token", targetId: exchanged.body.id, details: { name: "cli", roleCap: null, expiresAt: null } },
      { ...signIn, action: "auth.sign_in_failed", actorId: null, actorEmail: user.email, targetId: user.id, details: { purpose: "api_token", reason: "wrong_credentials" } },
    ]);
  });

  it("masks values under secret-looking keys at any depth", () => {
    expect(
      redactSecrets({
        name: "x",
        password: "p",
        nested: [{ apiKey: "k", Authorization: "Bearer t", ok: 1 }],
        credentials: { user: "u", secret: 42 },
        token: "t",
        tokenId: "id",
        passwordChanged: true,
      }),
    ).toEqual({
      name: "x",
      password: "••••",
      nested: [{ apiKey: "••••", Authorization: "••••", ok: 1 }],
      credentials: { user: "u", secret: "••••" },
      token: "••••",
      tokenId: "id",
      passwordChanged: true,
    });
  });
});

describe("GET /api/v1/audit", () => {
  it("shows workspace admins their workspaces' events only, and instance admins everything", async () => {
    const team = await createTeam();
    const jobIn = (token: string, workspaceId: string, name: string) =>
      call(createJob, { method: "POST", path: "/", token, json: { name, workspaceId, source: { type: "http", url: "https://x.example.com" } } });
    await jobIn(team.tokens.editor, team.workspace.id, "Ours");
    await jobIn(team.tokens.outsider, team.otherWorkspace.id, "Theirs");
    await call(createToken, { method: "POST", path: "/", token: team.tokens.admin, json: { name: "personal" } });

    const read = (token: string, query = "") => call(readAudit, { path: `/api/v1/audit${query}`, token });
    const names = (res: { body: { results: { details: { name: string } }[] } }) => res.body.results.map((e) => e.details.name);
    expect(names(await read(team.tokens.admin))).toEqual(["Ours"]);
    expect(names(await read(team.tokens.outsider))).toEqual(["Theirs"]);
    // Naming another workspace is a 404, as for any of its objects.
    expectProblem(await read(team.tokens.admin, `?workspaceId=${team.otherWorkspace.id}`), 404);

    await makeInstanceAdmin(team.admin.id);
    const all = await read(team.tokens.admin);
    expect(all.body).toMatchObject({ count: 3, next: null, previous: null });
    expect(all.body.results.map((e: { action: string }) => e.action)).toEqual(["token.create", "job.create", "job.create"]);
    expect(all.body.results[0]).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      actor: { id: team.admin.id, email: team.admin.email },
      tokenId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action: "token.create",
      target: { type: "token", id: expect.any(String) },
      workspaceId: null,
      ip: null,
      details: { name: "personal", roleCap: null, expiresAt: null },
    });
  });

  it("filters by action and actor, and pages with the envelope", async () => {
    const team = await createTeam();
    await makeInstanceAdmin(team.admin.id);
    for (const name of ["a", "b", "c"]) {
      await call(createJob, { method: "POST", path: "/", token: team.tokens.editor, json: { name, source: { type: "http", url: "https://x.example.com" } } });
    }
    await call(createToken, { method: "POST", path: "/", token: team.tokens.editor, json: { name: "t" } });
    const read = (query: string) => call(readAudit, { path: `/api/v1/audit${query}`, token: team.tokens.admin });

    const page1 = await read("?action=job.create&pageSize=2");
    expect(page1.body.count).toBe(3);
    expect(page1.body.results.map((e: { details: { name: string } }) => e.details.name)).toEqual(["c", "b"]);
    expect(page1.body.next).toBe("http://localhost:3000/api/v1/audit?action=job.create&pageSize=2&page=2");
    const page2 = await read("?action=job.create&pageSize=2&page=2");
    expect(page2.body.results.map((e: { details: { name: string } }) => e.details.name)).toEqual(["a"]);

    expect((await read(`?actorId=${team.editor.id}`)).body.count).toBe(4);
    expect((await read(`?actor=${encodeURIComponent(team.editor.email.slice(0, 6))}&action=token.create`)).body.count).toBe(1);
    expect((await read(`?actorId=${team.viewer.id}`)).body.count).toBe(0);
    expect(expectProblem(await read("?action=job.explode"), 422).errors?.[0]?.path).toBe("action");
  });
});
