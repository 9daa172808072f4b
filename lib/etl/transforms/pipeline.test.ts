import { describe, expect, it } from "vitest";
import { transformStepSchema, type TransformStep } from "@/lib/schemas/jobs";
import { batchColumnType, type Batch } from "./batch";
import { TransformPipeline } from "./pipeline";

const steps = (...input: Record<string, unknown>[]): TransformStep[] => input.map((s) => transformStepSchema.parse(s));
const pipeline = (input: TransformStep[], maxBufferedRows = 1000) => new TransformPipeline(input, { maxBufferedRows });
const rows = (batch: Batch | null) => batch?.objects() ?? null;

describe("TransformPipeline", () => {
  it("streams row-local steps page by page", () => {
    const p = pipeline(steps({ op: "normalize" }, { op: "filter", expr: "d => d.n % 2 === 1" }, { op: "select", columns: ["n", "x.y"] }));
    expect(rows(p.push([{ n: 1, x: { y: "a" } }, { n: 2, x: { y: "b" } }]))).toEqual([{ n: 1, "x.y": "a" }]);
    expect(rows(p.push([{ n: 3, x: { y: "c" } }]))).toEqual([{ n: 3, "x.y": "c" }]);
    expect(p.finish()).toBeNull();
  });

  it("holds rows for a blocking step and unions the columns of differently shaped pages", () => {
    const p = pipeline(steps({ op: "normalize" }, { op: "sort", by: [{ column: "n", desc: true }] }));
    expect(p.push([{ n: 1, a: "x" }])).toBeNull();
    expect(p.push([{ n: 3, b: { c: true } }, { n: 2 }])).toBeNull();
    const out = p.finish()!;
    expect(out.columnNames()).toEqual(["n", "a", "b.c"]);
    expect(out.objects()).toEqual([
      { n: 3, a: null, "b.c": true },
      { n: 2, a: null, "b.c": null },
      { n: 1, a: "x", "b.c": null },
    ]);
  });

  it("treats a derive with an aggregate as blocking, so it sees every page", () => {
    const p = pipeline(steps({ op: "derive", columns: { share: "d => d.amount / op.sum(d.amount)" } }));
    expect(p.push([{ amount: 1 }])).toBeNull();
    expect(p.push([{ amount: 3 }])).toBeNull();
    expect(p.finish()!.array("share")).toEqual([0.25, 0.75]);
  });

  it("counts a streaming limit across pages and then reports done", () => {
    const p = pipeline(steps({ op: "filter", expr: "d => d.n > 0" }, { op: "limit", count: 3 }));
    expect(rows(p.push([{ n: 1 }, { n: -1 }, { n: 2 }]))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(p.done).toBe(false);
    expect(rows(p.push([{ n: 3 }, { n: 4 }]))).toEqual([{ n: 3 }]);
    expect(p.done).toBe(true);
    expect(p.push([{ n: 5 }])).toBeNull();
    expect(p.finish()).toBeNull();
  });

  it("stops early for a limit before a blocking step, and applies a limit after one at the end", () => {
    const early = pipeline(steps({ op: "limit", count: 2 }, { op: "sort", by: [{ column: "n" }] }));
    expect(early.push([{ n: 9 }, { n: 1 }, { n: 5 }])).toBeNull();
    expect(early.done).toBe(true);
    expect(early.finish()!.array("n")).toEqual([1, 9]);

    const late = pipeline(steps({ op: "sort", by: [{ column: "n" }] }, { op: "limit", count: 2 }));
    late.push([{ n: 9 }, { n: 1 }]);
    expect(late.done).toBe(false);
    late.push([{ n: 0 }]);
    expect(late.finish()!.array("n")).toEqual([0, 1]);
  });

  it("never reports done without a limit, or with limit 0 before any page", () => {
    expect(pipeline(steps({ op: "select", columns: ["n"] })).done).toBe(false);
    expect(pipeline(steps({ op: "limit", count: 0 })).done).toBe(true);
  });

  it("accepts a column that only some pages have, and reports one that none had with what was available", () => {
    const sparse = pipeline(steps({ op: "select", columns: ["id", "coupon"] }));
    expect(rows(sparse.push([{ id: 1 }]))).toEqual([{ id: 1, coupon: null }]);
    expect(rows(sparse.push([{ id: 2, coupon: "X" }]))).toEqual([{ id: 2, coupon: "X" }]);
    expect(sparse.finish()).toBeNull();

    const typo = pipeline(steps({ op: "normalize" }, { op: "rename", columns: { id: "order_id" } }, { op: "select", columns: ["order_id", "totl"] }));
    typo.push([{ id: 1, total: 5 }]);
    typo.push([{ id: 2, total: 6, note: "x" }]);
    expect(() => typo.finish()).toThrow('Step 3 (select): unknown column "totl"; available: "order_id", "total", "note".');
  });

  it("reports unknown columns in expressions and blocking steps too", () => {
    const p = pipeline(steps({ op: "filter", expr: "d => d.amount > 0" }, { op: "aggregate", groupBy: ["cat"], metrics: { n: "op.count()" } }));
    p.push([{ amount: 1, category: "a" }]);
    expect(() => p.finish()).toThrow('Step 2 (aggregate): unknown column "cat"; available: "amount", "category".');

    const q = pipeline(steps({ op: "filter", expr: "d => d.amonut > 0" }));
    q.push([{ amount: 1 }]);
    expect(() => q.finish()).toThrow('Step 1 (filter): unknown column "amonut"; available: "amount".');
  });

  it("does not complain about columns when no rows ever came", () => {
    expect(pipeline(steps({ op: "select", columns: ["anything"] })).finish()).toBeNull();
  });

  it("numbers rows across pages in cast errors", () => {
    const p = pipeline(steps({ op: "cast", columns: { n: "integer" } }));
    p.push([{ n: "1" }, { n: "2" }]);
    expect(() => p.push([{ n: "3" }, { n: "x" }])).toThrow('Step 1 (cast): cannot cast "x" to integer in column "n" at row 4');
  });

  it("keeps cast types through held rows", () => {
    const p = pipeline(steps({ op: "cast", columns: { n: "number", code: "string" } }, { op: "dedupe" }));
    p.push([{ n: 1, code: "2024-01-01" }]);
    p.push([{ n: 2, code: "2024-01-02" }]);
    const out = p.finish()!;
    expect([batchColumnType(out, "n"), batchColumnType(out, "code")]).toEqual(["number", "string"]);
  });

  it("refuses to hold more rows than allowed", () => {
    const p = pipeline(steps({ op: "sort", by: [{ column: "n" }] }), 2);
    p.push([{ n: 1 }, { n: 2 }]);
    expect(() => p.push([{ n: 3 }])).toThrow(
      "Step 1 (sort) needs all rows at once, and the source produced more than 2 (the TRANSFORM_MAX_BUFFERED_ROWS limit).",
    );
  });

  it("refuses a definition whose expression is outside the safe subset", () => {
    const unsafe = [{ op: "filter", expr: "d => process.exit(1)" }] as TransformStep[];
    expect(() => pipeline(unsafe)).toThrow("Step 1 (filter): expression error: only op.* functions may be called");
  });

  it("shows the source and every step's output to an observer, in order", () => {
    const seen: [number, unknown[]][] = [];
    const p = new TransformPipeline(steps({ op: "normalize" }, { op: "limit", count: 1 }, { op: "sort", by: [{ column: "a.b" }] }), {
      maxBufferedRows: 10,
      observe: (step, batch) => seen.push([step, batch.objects()]),
    });
    p.push([{ a: { b: 2 } }, { a: { b: 1 } }]);
    p.finish();
    expect(seen).toEqual([
      [-1, [{ a: { b: 2 } }, { a: { b: 1 } }]],
      [0, [{ "a.b": 2 }, { "a.b": 1 }]],
      [1, [{ "a.b": 2 }]],
      [2, [{ "a.b": 2 }]],
    ]);
  });
});

describe("TransformPipeline and runaway regular expressions", () => {
  it("matches a catastrophically backtracking pattern in linear time", () => {
    const p = pipeline(steps({ op: "filter", expr: "d => op.match(d.s, /^(a+)+$/) != null" }));
    const started = performance.now();
    const out = p.push(Array.from({ length: 200 }, (_, i) => ({ s: `${"a".repeat(30)}${i % 2 ? "b" : ""}` })));
    expect(out!.numRows()).toBe(100);
    // Backtracking would take minutes per row; the linear engine takes microseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
