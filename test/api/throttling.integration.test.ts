import { beforeEach, describe, expect, it } from "vitest";
import { POST as createTokenWithPassword } from "@/app/api/v1/auth/token/route";
import { GET as me } from "@/app/api/v1/me/route";
import { POST as createToken } from "@/app/api/v1/tokens/route";
import { authOptions } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, TEST_PASSWORD } from "../db";

// Every test uses its own addresses and emails: limiter counts live in Redis for the whole run.
let n = 0;
const uniqueIp = () => `203.0.113.${++n}`;

beforeEach(async () => {
  await resetDatabase();
});

const exchange = (email: string, password: string, ip?: string) =>
  call(createTokenWithPassword, {
    method: "POST",
    path: "/api/v1/auth/token",
    json: { email, password, name: "t" },
    headers: ip ? { "x-forwarded-for": ip } : {},
  });

function expectThrottled(res: Awaited<ReturnType<typeof call>>, maxSeconds: number) {
  const problem = expectProblem(res, 429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(problem.detail).toBe(`Too many requests; retry in ${retryAfter} s.`);
}

describe("sign-in and token creation per client IP", () => {
  it(`allows ${env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE} attempts a minute from one address, then answers 429 with Retry-After`, async () => {
    const { user } = await createUser("ivy");
    const ip = uniqueIp();
    const statuses = [];
    for (let i = 0; i < env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE; i++) {
      statuses.push((await exchange(user.email, i % 2 ? TEST_PASSWORD : "wrong password", ip)).status);
    }
    expect(statuses).toEqual(Array.from({ length: env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE }, (_, i) => (i % 2 ? 201 : 401)));
    // Even the right password is refused now, before it is checked.
    expectThrottled(await exchange(user.email, TEST_PASSWORD, ip), 60);
    // The proxy's entry (rightmost) counts, not what the client claims further left.
    expectThrottled(await exchange(user.email, TEST_PASSWORD, `198.51.100.1, ${ip}`), 60);
    // Another address is not affected.
    expect((await exchange(user.email, TEST_PASSWORD, uniqueIp())).status).toBe(201);
  });

  it("counts token creation by a signed-in user against the same budget", async () => {
    const { user } = await createUser("ned");
    const token = await apiToken(user.id);
    const ip = uniqueIp();
    const post = () => call(createToken, { method: "POST", path: "/api/v1/tokens", token, json: { name: "x" }, headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE; i++) expect((await post()).status).toBe(201);
    expectThrottled(await post(), 60);
  });
});

describe("failed sign-ins per email", () => {
  it(`locks an email after ${env.RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL} failures from any addresses, for 15 minutes`, async () => {
    const { user } = await createUser("max");
    await createUser("other");
    for (let i = 0; i < env.RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL; i++) {
      expect((await exchange(user.email.toUpperCase(), `guess ${i}`, uniqueIp())).status).toBe(401);
    }
    expectThrottled(await exchange(user.email, TEST_PASSWORD, uniqueIp()), 15 * 60);
    // Other accounts sign in as usual.
    expect((await exchange("other@example.test", TEST_PASSWORD, uniqueIp())).status).toBe(201);
  });

  it("forgets earlier failures after a successful sign-in", async () => {
    const { user } = await createUser("sue");
    const failures = env.RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL - 1;
    for (let i = 0; i < failures; i++) expect((await exchange(user.email, "nope", uniqueIp())).status).toBe(401);
    expect((await exchange(user.email, TEST_PASSWORD, uniqueIp())).status).toBe(201);
    for (let i = 0; i < failures; i++) expect((await exchange(user.email, "nope", uniqueIp())).status).toBe(401);
    expect((await exchange(user.email, TEST_PASSWORD, uniqueIp())).status).toBe(201);
  });

  it("throttles the browser sign-in (next-auth's authorize) the same way", async () => {
    const { user } = await createUser("amy");
    const provider = authOptions.providers[0] as unknown as {
      options: { authorize: (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown> };
    };
    const ip = uniqueIp();
    const authorize = (password: string) => provider.options.authorize({ email: user.email, password }, { headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE; i++) await authorize("wrong");
    await expect(authorize(TEST_PASSWORD)).rejects.toThrow(/^Too many requests; retry in \d+ s\.$/);
  });
});

describe("API requests per token", () => {
  it(`allows ${env.RATE_LIMIT_API_PER_MINUTE} requests a minute per token, then 429 with Retry-After; other tokens are unaffected`, async () => {
    const { user } = await createUser("bot");
    const [busy, calm] = [await apiToken(user.id), await apiToken(user.id)];
    const statuses = new Map<number, number>();
    for (let i = 0; i < env.RATE_LIMIT_API_PER_MINUTE; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => call(me, { path: "/api/v1/me", token: busy })));
      for (const res of batch) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: env.RATE_LIMIT_API_PER_MINUTE });
    expectThrottled(await call(me, { path: "/api/v1/me", token: busy }), 60);
    expect((await call(me, { path: "/api/v1/me", token: calm })).status).toBe(200);
  });
});
