import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { db } from "@/lib/db/client";
import { createApiToken } from "@/lib/db/queries/tokens";
import { env } from "@/lib/env";
import { POST as createTokenRoute } from "@/app/api/v1/auth/token/route";
import { TEST_PASSWORD } from "./db";

export const BASE_URL = "http://localhost:3000";

type RouteHandler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

type CallOptions = {
  method?: string;
  /** Path and query, e.g. /api/v1/jobs?q=shop */
  path: string;
  params?: Record<string, string>;
  token?: string;
  /** Sent as application/json unless a content-type header says otherwise. */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: string;
  headers?: Record<string, string>;
};

// Tests assert response bodies field by field; typing every endpoint's body here would only repeat lib/schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiResponse = { status: number; headers: Headers; body: any };

/** Calls a real route handler the way Next.js does: a NextRequest and a context with async params. */
export async function call(handler: RouteHandler, options: CallOptions): Promise<ApiResponse> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const req = new NextRequest(new URL(options.path, BASE_URL), { method: options.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, headers: res.headers, body: text && /json/.test(type) ? JSON.parse(text) : text };
}

/** An API token for a user created by test/db.ts createUser, through POST /api/v1/auth/token. */
export async function tokenFor(email: string): Promise<string> {
  const res = await call(createTokenRoute, {
    method: "POST",
    path: "/api/v1/auth/token",
    json: { email, password: TEST_PASSWORD, name: "tests" },
  });
  if (res.status !== 201) throw new Error(`token creation answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** An API token straight from the query layer: skips the password check when it is not under test. */
export async function apiToken(userId: string): Promise<string> {
  return (await createApiToken(db, userId, "tests")).token;
}

/** A genuine next-auth session cookie (JWT signed with NEXTAUTH_SECRET), as the browser would send it. */
export async function sessionCookie(userId: string): Promise<string> {
  const jwt = await encode({ token: { sub: userId }, secret: env.NEXTAUTH_SECRET });
  return `next-auth.session-token=${jwt}`;
}

/** Asserts the shape of an application/problem+json answer and returns its body. */
export function expectProblem(res: ApiResponse, status: number) {
  if (res.status !== status || !res.headers.get("content-type")?.startsWith("application/problem+json")) {
    throw new Error(`expected a ${status} problem+json, got ${res.status} ${res.headers.get("content-type")}: ${JSON.stringify(res.body)}`);
  }
  return res.body as { type: string; title: string; status: number; detail?: string; errors?: { path: string; message: string }[] };
}
