import { describe, expect, it } from "vitest";
import { applyConventions, operationIdFor } from "./conventions";

describe("operationIdFor", () => {
  it.each([
    ["get", "/api/v1/jobs", "getJobs"],
    ["get", "/api/v1/jobs/{id}/runs", "getJobsByIdRuns"],
    ["patch", "/api/v1/workspaces/{id}/members/{userId}", "patchWorkspacesByIdMembersByUserId"],
    ["get", "/api/health", "getHealth"],
    ["get", "/api/v1/openapi.json", "getOpenapiJson"],
  ])("%s %s → %s", (method, path, id) => {
    expect(operationIdFor(method, path)).toBe(id);
  });
});

describe("applyConventions", () => {
  it("fills operationId and marks operations without security as public, keeping what is set", () => {
    const document = applyConventions({
      paths: {
        "/api/health": { get: {}, parameters: [] },
        "/api/v1/jobs": { get: { operationId: "listJobs", security: [{ bearerAuth: [] }] } },
      },
    });
    expect(document.paths).toEqual({
      "/api/health": { get: { operationId: "getHealth", security: [] }, parameters: [] },
      "/api/v1/jobs": { get: { operationId: "listJobs", security: [{ bearerAuth: [] }] } },
    });
  });
});
