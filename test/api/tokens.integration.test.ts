import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as createTokenWithPassword } from "@/app/api/v1/auth/token/route";
import { GET as listJobs } from "@/app/api/v1/jobs/route";
import { DELETE as revokeToken } from "@/app/api/v1/tokens/[id]/route";
import { GET as listTokens, POST as createToken } from "@/app/api/v1/tokens/route";
import { forgetPrincipals, PRINCIPAL_CACHE_MS } from "@/lib/auth/principal-cache";
import { db } from "@/lib/db/client";
import { apiTokens } from "@/lib/db/schema";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, TEST_PASSWORD } from "../db";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

let user: Awaited<ReturnType<typeof createUser>>["user"];
let token: string;

beforeEach(async () => {
  await resetDatabase();
  ({ user } = await createUser("tina"));
  token = await apiToken(user.id);
});

const create = (json: unknown, as = token) => call(createToken, { method: "POST", path: "/api/v1/tokens", token: as, json });
const jobsWith = (as: string) => call(listJobs, { path: "/api/v1/jobs", token: as });
const rowOf = async (id: string) => (await db.select().from(apiTokens).where(eq(apiTokens.id, id)))[0]!;

describe("token options", () => {
  it("creates a named token with an expiry and a role cap, shown once and listed without its secret", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await create({ name: "nightly export", expiresAt, roleCap: "viewer" });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "id", "name", "token"]);

    const listed = await call(listTokens, { path: "/api/v1/tokens", token });
    const entry = listed.body.results.find((t: { id: string }) => t.id === res.body.id);
    expect(entry).toEqual({
      id: res.body.id,
      name: "nightly export",
      prefix: res.body.token.slice(0, 10),
      createdAt: res.body.createdAt,
      lastUsedAt: null,
      expiresAt,
      roleCap: "viewer",
    });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.token);
    // Only the SHA-256 of the secret is stored.
    const row = await rowOf(res.body.id);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(row).map(String)).not.toContain(res.body.token);
  });

  it("refuses an expiry in the past", async () => {
    const problem = expectProblem(await create({ name: "old", expiresAt: "2020-01-01T00:00:00Z" }), 422);
    expect(problem.errors).toEqual([{ path: "expiresAt", message: "must be in the future" }]);
  });

  it("accepts expiry and cap on POST /api/v1/auth/token too", async () => {
    const res = await call(createTokenWithPassword, {
      method: "POST",
      path: "/api/v1/auth/token",
      json: { email: user.email, password: TEST_PASSWORD, name: "ci", roleCap: "editor", expiresAt: "2099-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(201);
    const row = await rowOf(res.body.id);
    expect(row.roleCap).toBe("editor");
    expect(row.expiresAt?.toISOString()).toBe("2099-01-01T00:00:00.000Z");
  });
});

describe("token lifecycle", () => {
  it("stops working once expired", async () => {
    const expiresAt = Date.now() + 1000;
    const res = await create({ name: "short", expiresAt: new Date(expiresAt).toISOString() });
    expect((await jobsWith(res.body.token)).status).toBe(200);
    // The caller is cached (lib/auth/principal-cache.ts), but never past the token's expiry.
    await sleep(expiresAt - Date.now() + 10);
    expectProblem(await jobsWith(res.body.token), 401);
  });

  it("a revocation made through another web process applies within PRINCIPAL_CACHE_MS", async () => {
    const res = await create({ name: "elsewhere" });
    expect((await jobsWith(res.body.token)).status).toBe(200);
    // Another process's write: this one's cache does not hear of it.
    const revokedAt = Date.now();
    await db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, res.body.id));
    await sleep(revokedAt + PRINCIPAL_CACHE_MS - Date.now());
    expectProblem(await jobsWith(res.body.token), 401);
  });

  it("revocation takes effect on the very next request", async () => {
    const res = await create({ name: "leaked" });
    expect((await jobsWith(res.body.token)).status).toBe(200);
    const revoked = await call(revokeToken, { method: "DELETE", path: "/", params: { id: res.body.id }, token });
    expect(revoked.status).toBe(204);
    expectProblem(await jobsWith(res.body.token), 401);
    expect((await rowOf(res.body.id)).revokedAt).not.toBeNull();
  });

  it("records the last use at most once a minute", async () => {
    const res = await create({ name: "busy" });
    expect((await rowOf(res.body.id)).lastUsedAt).toBeNull();
    await jobsWith(res.body.token);
    const first = (await rowOf(res.body.id)).lastUsedAt;
    expect(first).toBeInstanceOf(Date);

    for (let i = 0; i < 3; i++) await jobsWith(res.body.token);
    expect((await rowOf(res.body.id)).lastUsedAt).toEqual(first);

    // A minute later the next request writes again.
    const minuteAgo = new Date(Date.now() - 61_000);
    await db.update(apiTokens).set({ lastUsedAt: minuteAgo }).where(eq(apiTokens.id, res.body.id));
    // A minute on, the caller cached by the requests above has long expired.
    forgetPrincipals();
    await jobsWith(res.body.token);
    const later = (await rowOf(res.body.id)).lastUsedAt!;
    expect(later.getTime()).toBeGreaterThan(minuteAgo.getTime() + 30_000);
  });
});
