import { DrizzleQueryError } from "drizzle-orm/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { HttpError, toProblemResponse } from "./errors";

const pgError = (code: string, constraint?: string) => Object.assign(new Error("driver message with SQL details"), { code, constraint_name: constraint });

async function problem(error: unknown) {
  const res = toProblemResponse(error);
  return { status: res.status, type: res.headers.get("content-type"), retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("toProblemResponse", () => {
  it("passes HttpError through with its headers", async () => {
    expect(await problem(new HttpError(429, "Slow down.", undefined, { "retry-after": "7" }))).toEqual({
      status: 429,
      type: "application/problem+json",
      retryAfter: "7",
      body: { type: "about:blank", title: "Too Many Requests", status: 429, detail: "Slow down." },
    });
  });

  it("turns a ZodError into 422 with dotted paths", async () => {
    const error = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } }).error;
    expect((await problem(error)).body).toEqual({
      type: "https://dataflowhub.dev/problems/validation",
      title: "Unprocessable Entity",
      status: 422,
      detail: "The request did not validate.",
      errors: [{ path: "a.b", message: "Invalid input: expected number, received string" }],
    });
  });

  it.each([
    ["a driver error", (code: string, constraint?: string) => pgError(code, constraint)],
    ["a driver error wrapped by drizzle", (code: string, constraint?: string) => new DrizzleQueryError("insert …", [], pgError(code, constraint))],
  ])("maps SQLSTATEs of %s without leaking the message", async (_name, make) => {
    const conflict = await problem(make("23505"));
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toBe("A resource with the same unique value already exists.");
    expect((await problem(make("22P02"))).status).toBe(400);
    const named = await problem(make("23505", "connections_workspace_name_key"));
    expect([named.status, named.body.detail]).toEqual([409, "A connection with this name already exists in the workspace."]);
    const down = await problem(make("ECONNREFUSED"));
    expect([down.status, down.retryAfter]).toEqual([503, "5"]);
    expect(JSON.stringify(down.body)).not.toContain("SQL");
  });

  it("hides anything else behind a generic 500", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect((await problem(new Error("secret internals"))).body).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      detail: "An unexpected error occurred.",
    });
    expect((await problem(new DrizzleQueryError("select …", [], new Error("no code")))).status).toBe(500);
  });
});
