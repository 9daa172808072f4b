import { beforeEach, describe, expect, it } from "vitest";
import { POST as createToken } from "@/app/api/v1/auth/token/route";
import { GET as listJobs, POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as me } from "@/app/api/v1/me/route";
import { GET as listTokens, POST as newToken } from "@/app/api/v1/tokens/route";
import { DELETE as revokeToken } from "@/app/api/v1/tokens/[id]/route";
import { call, expectProblem, sessionCookie, tokenFor } from "../api";
import { createUser, resetDatabase, TEST_PASSWORD } from "../db";

const jobBody = { name: "Orders", source: { type: "http", url: "https://shop.example.com/orders" } };

beforeEach(async () => {
  await resetDatabase();
});

describe("POST /api/v1/auth/token", () => {
  it("answers 201 with a token, shown once, for the right password", async () => {
    const { user } = await createUser("ada");
    const res = await call(createToken, {
      method: "POST",
      path: "/api/v1/auth/token",
      json: { email: "ADA@example.test", password: TEST_PASSWORD, name: "laptop" },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "id", "name", "token"]);
    expect(res.body.name).toBe("laptop");
    expect(res.body.token).toMatch(/^dfh_[\w-]{43}$/);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

    // The token works, and lists show only its prefix.
    const listed = await call(listTokens, { path: "/api/v1/tokens", token: res.body.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(listed.body.results[0]).toMatchObject({ id: res.body.id, name: "laptop", prefix: res.body.token.slice(0, 10) });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.token);
    expect((await call(me, { path: "/api/v1/me", token: res.body.token })).body).toMatchObject({
      id: user.id,
      email: "ada@example.test",
    });
  });

  it("answers 401 for a wrong password and for an unknown email, alike", async () => {
    await createUser("bob");
    for (const body of [
      { email: "bob@example.test", password: "wrong password", name: "x" },
      { email: "nobody@example.test", password: TEST_PASSWORD, name: "x" },
    ]) {
      const problem = expectProblem(await call(createToken, { method: "POST", path: "/api/v1/auth/token", json: body }), 401);
      expect(problem).toEqual({ type: "about:blank", title: "Unauthorized", status: 401, detail: "Wrong email or password." });
    }
  });

  it("validates the body: 422 with paths, 415 for another content type, 400 for bad JSON", async () => {
    const invalid = expectProblem(
      await call(createToken, { method: "POST", path: "/api/v1/auth/token", json: { email: "not-an-email", password: "" } }),
      422,
    );
    expect(invalid.errors?.map((e) => e.path).sort()).toEqual(["email", "name", "password"]);
    expectProblem(
      await call(createToken, {
        method: "POST",
        path: "/api/v1/auth/token",
        body: "email=a@b.c",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
    );
    expectProblem(
      await call(createToken, {
        method: "POST",
        path: "/api/v1/auth/token",
        body: "{nope",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
  });
});

describe("bearer tokens", () => {
  it("authenticates GET /api/v1/jobs", async () => {
    const { user } = await createUser("carol");
    const token = await tokenFor(user.email);
    const res = await call(listJobs, { path: "/api/v1/jobs", token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it.each([
    ["no credentials", {}],
    ["an unknown token", { authorization: "Bearer dfh_doesnotexist" }],
    ["a token without our prefix", { authorization: "Bearer abc" }],
    ["another scheme", { authorization: "Basic YWRhOnB3" }],
    ["an empty bearer", { authorization: "Bearer " }],
  ])("answers 401 problem+json for %s", async (_name, headers) => {
    const problem = expectProblem(await call(listJobs, { path: "/api/v1/jobs", headers }), 401);
    expect(problem.title).toBe("Unauthorized");
    expect(problem.detail).toBe("Sign in, or send a valid API token as 'Authorization: Bearer <token>'.");
  });

  it("stops working once revoked", async () => {
    const { user } = await createUser("dan");
    const keep = await tokenFor(user.email);
    const created = await call(newToken, { method: "POST", path: "/api/v1/tokens", token: keep, json: { name: "ci" } });
    expect(created.status).toBe(201);
    const revoked = await call(revokeToken, {
      method: "DELETE",
      path: `/api/v1/tokens/${created.body.id}`,
      params: { id: created.body.id },
      token: keep,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await call(listJobs, { path: "/api/v1/jobs", token: created.body.token }), 401);
    // Revoking twice, or someone else's token, is a 404.
    expectProblem(
      await call(revokeToken, { method: "DELETE", path: "/", params: { id: created.body.id }, token: keep }),
      404,
    );
    expect((await call(listJobs, { path: "/api/v1/jobs", token: keep })).status).toBe(200);
  });
});

describe("session cookie", () => {
  it("authenticates reads", async () => {
    const { user } = await createUser("erin");
    const res = await call(listJobs, { path: "/api/v1/jobs", headers: { cookie: await sessionCookie(user.id) } });
    expect(res.status).toBe(200);
  });

  it("refuses writes without a same-site Origin, accepts them with one", async () => {
    const { user } = await createUser("fay");
    const cookie = await sessionCookie(user.id);
    const post = (headers: Record<string, string>) =>
      call(createJob, { method: "POST", path: "/api/v1/jobs", json: jobBody, headers: { cookie, ...headers } });

    const missing = expectProblem(await post({ host: "localhost:3000" }), 403);
    expect(missing.detail).toBe("Cross-site request refused: state-changing requests must come from this site.");
    expectProblem(await post({ host: "localhost:3000", origin: "https://evil.example" }), 403);

    const ok = await post({ host: "localhost:3000", origin: "http://localhost:3000" });
    expect(ok.status).toBe(201);
  });

  it("ignores a cookie signed with another secret", async () => {
    const { user } = await createUser("gus");
    const { encode } = await import("next-auth/jwt");
    const forged = await encode({ token: { sub: user.id }, secret: "not-the-server-secret-0123456789abcdef" });
    expectProblem(await call(listJobs, { path: "/api/v1/jobs", headers: { cookie: `next-auth.session-token=${forged}` } }), 401);
  });
});
