import { describe, expect, it } from "vitest";
import { planPreview } from "./preview-request";

const workspaceId = "5b3a1f1e-9c6d-4e1a-8b2f-0d9e8c7b6a5f";
const source = { type: "http", url: "https://api.example.com/orders" };

describe("planPreview", () => {
  it("waits for a workspace and a complete source", () => {
    expect(planPreview(undefined, source, [])).toEqual({ kind: "incomplete", reason: "Choose a workspace to preview in." });
    expect(planPreview(workspaceId, { type: "http", url: "" }, [])).toEqual({ kind: "incomplete", reason: "Complete the source to see a preview." });
  });

  it("sends the parsed source with the schema's defaults and every valid step", () => {
    const plan = planPreview(workspaceId, source, [{ op: "normalize" }, { op: "limit", count: 5 }]);
    expect(plan).toMatchObject({
      kind: "ready",
      blockedAt: null,
      body: { workspaceId, source: { type: "http", method: "GET", maxPages: 1000 }, transform: [{ op: "normalize", sep: "." }, { op: "limit", count: 5 }] },
    });
  });

  it("stops at the first step that does not validate yet", () => {
    const plan = planPreview(workspaceId, source, [{ op: "normalize" }, { op: "filter", expr: "" }, { op: "limit", count: 5 }]);
    expect(plan.kind === "ready" && plan.body.transform).toEqual([{ op: "normalize", sep: "." }]);
    expect(plan.kind === "ready" && plan.blockedAt).toBe(1);
  });
});
