import { describe, expect, it } from "vitest";
import { exportJob, importJob } from "./job-json";

const job = {
  name: "Orders",
  description: "",
  source: { type: "file" as const, fileId: "7d6f0a52-3c8e-4c1e-9d53-1b8a3f5e2c10", format: "csv" as const },
  transform: [{ op: "filter" as const, expr: "d => d.amount > 0" }],
  destination: { type: "dataset" as const, mode: "replace" as const },
  retry: { attempts: 2, backoffSeconds: 10 },
  schedule: null,
};

describe("exportJob", () => {
  it("writes the definition only, pretty-printed, an empty description as null", () => {
    const saved = { ...job, id: "x", workspaceId: "w", createdAt: "t", lastRun: null };
    const text = exportJob(saved as never);
    expect(text.endsWith("}\n")).toBe(true);
    const data = JSON.parse(text);
    expect(Object.keys(data)).not.toContain("id");
    expect(Object.keys(data)).not.toContain("workspaceId");
    expect(Object.keys(data)).not.toContain("lastRun");
    expect(data).toMatchObject({ name: "Orders", description: null, transform: job.transform });
  });
});

describe("importJob", () => {
  it("round-trips an export, filling the schema's defaults", () => {
    const result = importJob(exportJob(job));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.values.name).toBe("Orders");
    expect(result.values.description).toBe("");
    expect(result.values.source).toEqual({ ...job.source, delimiter: ",", quote: '"', header: true, skipRows: 0, encoding: "utf-8" });
  });

  it("takes an API answer, ignoring its ids, times and workspace", () => {
    const result = importJob(JSON.stringify({ ...job, id: "j", workspaceId: "w", createdAt: "c", updatedAt: "u", lastRun: null, nextRunAt: null }));
    expect(result.ok).toBe(true);
  });

  it("takes back an export of every part, nested defaults filled in", () => {
    const full = importJob(
      exportJob({
        ...job,
        source: { type: "http", url: "https://api.example.com/orders", pagination: { type: "page" } },
        transform: [{ op: "sort", by: [{ column: "id" }] }],
        destination: { type: "dataset", mode: "upsert", key: ["id"] },
        schedule: { cron: "0 2 * * *" },
        notify: { webhookUrl: "https://hooks.example.com/dfh" },
      }),
    );
    expect(full.ok).toBe(true);
    if (!full.ok) return;
    expect(importJob(exportJob(full.values))).toEqual(full);
  });

  it("refuses an unknown key inside a part, naming the part, as the API would", () => {
    const typo = importJob(JSON.stringify({ ...job, schedule: { cron: "0 2 * * *", extra: 1 }, retry: { attempts: 2, backof: 5 } }));
    expect(typo).toEqual({
      ok: false,
      problems: [
        { path: "retry", message: 'Unrecognized key: "backof"' },
        { path: "schedule", message: 'Unrecognized key: "extra"' },
      ],
    });
  });

  it("names each problem with its path, as the API would", () => {
    const bad = importJob(JSON.stringify({ ...job, transform: [{ op: "filter", expr: "d => process.exit(1)" }], retry: { attempts: 0 } }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.path)).toEqual(["transform.0.expr", "retry.attempts"]);
  });

  it("refuses text that is not a JSON object", () => {
    expect(importJob("{nope")).toMatchObject({ ok: false, problems: [{ path: "", message: expect.stringMatching(/^not valid JSON/) }] });
    expect(importJob("[1,2]")).toMatchObject({ ok: false, problems: [{ path: "" }] });
  });
});
