import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { API_POLICY, DOCS_POLICY } from "@/lib/security/headers";
import { proxy } from "./proxy";

const BASE = "http://localhost:3000";

async function run(path: string, headers: Record<string, string> = {}) {
  return proxy(new NextRequest(new URL(path, BASE), { headers }));
}

const signedIn = async () => ({ cookie: `next-auth.session-token=${await encode({ token: { sub: "u1" }, secret: env.NEXTAUTH_SECRET })}` });

const common = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

function securityHeaders(res: Response) {
  return Object.fromEntries(
    [...Object.keys(common), "content-security-policy", "strict-transport-security"].flatMap((name) => {
      const value = res.headers.get(name);
      return value === null ? [] : [[name, value]];
    }),
  );
}

describe("proxy: security headers", () => {
  it("gives API responses a policy that allows nothing, and no HSTS over plain http", async () => {
    const res = await run("/api/v1/jobs");
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(securityHeaders(res)).toEqual({ ...common, "content-security-policy": API_POLICY });
  });

  it("adds HSTS behind a TLS-terminating proxy", async () => {
    const res = await run("/api/health", { "x-forwarded-proto": "https" });
    expect(res.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  });

  it("lets Swagger UI load its own assets", async () => {
    expect((await run("/api/docs")).headers.get("content-security-policy")).toBe(DOCS_POLICY);
  });

  it("gives each page render a fresh nonce, in the response and in the request Next.js renders from", async () => {
    const cookie = await signedIn();
    const [first, second] = [await run("/jobs", cookie), await run("/jobs", cookie)];
    const policy = first.headers.get("content-security-policy")!;
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).toBe(
      `default-src 'self'; script-src 'self' 'nonce-${nonce}' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; ` +
        "img-src 'self' blob: data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'",
    );
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    expect(securityHeaders(first)).toMatchObject(common);
  });

  it("upgrades insecure requests only over https", async () => {
    const res = await run("/jobs", { ...(await signedIn()), "x-forwarded-proto": "https" });
    expect(res.headers.get("content-security-policy")).toMatch(/; upgrade-insecure-requests$/);
  });

  it("sends signed-out visitors to sign in, with the headers on the redirect too", async () => {
    const res = await run("/runs/abc?tab=log");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${BASE}/signin?callbackUrl=%2Fruns%2Fabc%3Ftab%3Dlog`);
    expect(securityHeaders(res)).toMatchObject({ ...common, "content-security-policy": expect.stringContaining("frame-ancestors 'none'") });
  });

  it("serves the sign-in page to signed-out visitors", async () => {
    const res = await run("/signin");
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("content-security-policy")).toContain("'strict-dynamic'");
  });
});
