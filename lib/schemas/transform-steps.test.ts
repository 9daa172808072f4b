import { describe, expect, it } from "vitest";
import { jobCreateSchema, jobUpdateSchema, transformStepSchema } from "./jobs";

const job = (transform: unknown[]) => ({ name: "Steps", source: { type: "http", url: "https://api.example.com/x" }, transform });

function issues(schema: typeof jobCreateSchema | typeof jobUpdateSchema, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("transformStepSchema", () => {
  it("accepts every SPEC step and fills in defaults", () => {
    const steps = [
      { op: "normalize", maxLevel: 2 },
      { op: "explode", column: "lines", prefix: "line_" },
      { op: "select", columns: ["id"] },
      { op: "drop", columns: ["secret"] },
      { op: "rename", columns: { id: "order_id" } },
      { op: "filter", expr: "d => d.amount > 0" },
      { op: "derive", columns: { total: "d => d.amount * 1.2" } },
      { op: "cast", columns: { amount: "number", zip: "string", day: "date" } },
      { op: "fillNull", values: { amount: 0, note: "", paid: false } },
      { op: "dedupe", columns: ["id"] },
      { op: "sort", by: [{ column: "amount", desc: true }, { column: "id" }] },
      { op: "limit", count: 10 },
      { op: "aggregate", groupBy: ["country"], metrics: { revenue: "op.sum(d.amount)", orders: "op.count()" } },
    ];
    expect(steps.map((step) => transformStepSchema.parse(step))).toEqual([
      { op: "normalize", sep: ".", maxLevel: 2 },
      { op: "explode", column: "lines", prefix: "line_", keepEmpty: false },
      { op: "select", columns: ["id"] },
      { op: "drop", columns: ["secret"] },
      { op: "rename", columns: { id: "order_id" } },
      { op: "filter", expr: "d => d.amount > 0" },
      { op: "derive", columns: { total: "d => d.amount * 1.2" } },
      { op: "cast", columns: { amount: "number", zip: "string", day: "date" } },
      { op: "fillNull", values: { amount: 0, note: "", paid: false } },
      { op: "dedupe", columns: ["id"] },
      { op: "sort", by: [{ column: "amount", desc: true }, { column: "id", desc: false }] },
      { op: "limit", count: 10 },
      { op: "aggregate", groupBy: ["country"], metrics: { revenue: "op.sum(d.amount)", orders: "op.count()" } },
    ]);
    expect(transformStepSchema.parse({ op: "aggregate", metrics: { n: "op.count()" } })).toEqual({
      op: "aggregate",
      groupBy: [],
      metrics: { n: "op.count()" },
    });
  });

  it("names the field of a bad step", () => {
    expect(issues(jobCreateSchema, job([{ op: "cast", columns: { a: "money" } }]))[0]?.path).toBe("transform.0.columns.a");
    expect(issues(jobCreateSchema, job([{ op: "limit", count: -1 }]))[0]?.path).toBe("transform.0.count");
    expect(issues(jobCreateSchema, job([{ op: "sort", by: [] }]))[0]?.path).toBe("transform.0.by");
    expect(issues(jobCreateSchema, job([{ op: "derive", columns: {} }]))).toEqual([
      { path: "transform.0.columns", message: "name at least one column" },
    ]);
    expect(issues(jobCreateSchema, job([{ op: "rename", columns: { a: "x", b: "x" } }]))).toEqual([
      { path: "transform.0.columns", message: "give each column a different new name" },
    ]);
    expect(issues(jobCreateSchema, job([{ op: "fillNull", values: { a: null } }]))[0]?.path).toBe("transform.0.values.a");
    expect(issues(jobCreateSchema, job([{ op: "pivot" }]))[0]?.path).toBe("transform.0.op");
  });
});

describe("expressions in a job definition", () => {
  it("refuses an unsafe filter with the step's path, on create and update", () => {
    const steps = [{ op: "normalize" }, { op: "select", columns: ["a"] }, { op: "filter", expr: "d => require('child_process')" }];
    const expected = [
      {
        path: "transform.2.expr",
        message:
          'only op.* functions may be called: expressions may use only column references (d.amount), op.* functions, literals and operators (at "require(\'child_process\')")',
      },
    ];
    expect(issues(jobCreateSchema, job(steps))).toEqual(expected);
    expect(issues(jobUpdateSchema, { transform: steps })).toEqual(expected);
  });

  it("points at the derived column and the metric", () => {
    expect(issues(jobCreateSchema, job([{ op: "derive", columns: { ok: "d => d.a", bad: "d => d.a.constructor" } }]))).toEqual([
      {
        path: "transform.0.columns.bad",
        message:
          'reading properties of a value is not allowed: expressions may use only column references (d.amount), op.* functions, literals and operators (at "d.a.constructor")',
      },
    ]);
    expect(issues(jobCreateSchema, job([{ op: "aggregate", metrics: { n: "op.count()", avg: "d.amount" } }]))).toEqual([
      { path: "transform.0.metrics.avg", message: 'a metric may use columns only inside aggregate functions, like op.sum(d.amount) (at "d.amount")' },
    ]);
  });

  it("reports syntax errors and unknown functions", () => {
    expect(issues(jobCreateSchema, job([{ op: "filter", expr: "d => d.a >" }]))).toEqual([
      { path: "transform.0.expr", message: "syntax error: Unexpected token" },
    ]);
    expect(issues(jobCreateSchema, job([{ op: "filter", expr: "d => op.sume(d.a) > 1" }]))).toEqual([
      { path: "transform.0.expr", message: 'op.sume is not an arquero function (at "op.sume")' },
    ]);
  });
});
