import { describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { GET as unknownEndpoint } from "@/app/api/v1/[...rest]/route";
import { call, expectProblem } from "../api";

describe("GET /api/health", () => {
  it("answers 200 with db and redis ok, uncached", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok", db: "ok", redis: "ok" });
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing the /api/v1 paths", async () => {
    const res = await openapi(new Request("http://localhost:3000/api/v1/openapi.json"));
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("DataFlowHub API");
    expect(doc.servers).toEqual([{ url: "http://localhost:3000" }]);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/health",
        "/api/v1/auth/token",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/jobs",
        "/api/v1/jobs/{id}",
        "/api/v1/jobs/{id}/runs",
        "/api/v1/jobs/{id}/data",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/cancel",
        "/api/v1/runs/{id}/logs",
        "/api/v1/runs/{id}/results",
      ]),
    );
    expect(Object.keys(doc.paths["/api/v1/jobs"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/jobs/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(doc.paths["/api/v1/jobs/{id}/runs"]["post"].responses)).toContain("202");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    // Generated from the zod schemas: the job body carries the source's fields and the problem shape is shared.
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Job", "JobCreate", "Run", "Problem"]));
    expect(JSON.stringify(doc.components.schemas.JobCreate)).toContain("recordsPath");
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(["type", "title", "status"]));
  });
});

describe("unknown /api/v1 endpoints", () => {
  it("answer 404 problem+json", async () => {
    const problem = expectProblem(await call(unknownEndpoint as never, { path: "/api/v1/nope" }), 404);
    expect(problem.detail).toBe("No such API endpoint.");
  });
});
