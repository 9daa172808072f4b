import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { transformStepSchema } from "@/lib/schemas/jobs";
import { applyStep, pageToBatch } from "./apply";
import { batchColumnType, declaredTypes, withDeclaredTypes, type Batch } from "./batch";
import { planSteps } from "./step-plan";

/** Applies one step, given as a job definition would write it, to a table. */
function apply(data: Record<string, unknown[]> | Batch, step: Record<string, unknown>, rowOffset = 0): Batch {
  const parsed = transformStepSchema.parse(step);
  const batch = "numRows" in data ? (data as Batch) : aq.table(data as Record<string, unknown[]>);
  return applyStep(batch, planSteps([parsed])[0]!, rowOffset);
}

const orders = () =>
  aq.table({
    id: [1, 2, 3, 4],
    customer: ["ada", "bob", "ada", null],
    amount: [10, -5, 30, 7.5],
  });

describe("pageToBatch", () => {
  it("flattens records when the first step is normalize, and counts it as done", () => {
    const { batch, consumed } = pageToBatch([{ a: { b: 1 } }], transformStepSchema.parse({ op: "normalize" }));
    expect(consumed).toBe(1);
    expect(batch.objects()).toEqual([{ "a.b": 1 }]);
  });

  it("keeps nested values otherwise", () => {
    const { batch, consumed } = pageToBatch([{ a: { b: 1 } }, { c: 2 }], undefined);
    expect(consumed).toBe(0);
    expect(batch.objects()).toEqual([
      { a: { b: 1 }, c: null },
      { a: null, c: 2 },
    ]);
  });
});

describe("applyStep", () => {
  it("normalize flattens object columns of a batch", () => {
    const out = apply({ id: [1], meta: [{ a: { b: 2 } }] }, { op: "normalize", sep: "/", maxLevel: 1 });
    expect(out.objects()).toEqual([{ id: 1, "meta/a": { b: 2 } }]);
  });

  it("explode makes one row per element", () => {
    const out = apply({ id: [1, 2], items: [[{ sku: "A" }, { sku: "B" }], []] }, { op: "explode", column: "items", keepEmpty: true });
    expect(out.objects()).toEqual([
      { id: 1, "items.sku": "A" },
      { id: 1, "items.sku": "B" },
      { id: 2, "items.sku": null },
    ]);
  });

  it("explode refuses to overwrite columns", () => {
    expect(() => apply({ sku: ["x"], items: [[{ sku: "A" }]] }, { op: "explode", column: "items", prefix: "" })).toThrow(
      'Step 1 (explode): the columns "sku" already exist; choose another prefix',
    );
  });

  it("select keeps columns in the order given", () => {
    expect(apply(orders(), { op: "select", columns: ["amount", "id"] }).columnNames()).toEqual(["amount", "id"]);
  });

  it("drop removes columns", () => {
    expect(apply(orders(), { op: "drop", columns: ["customer"] }).columnNames()).toEqual(["id", "amount"]);
  });

  it("rename renames in place and refuses to overwrite", () => {
    expect(apply(orders(), { op: "rename", columns: { customer: "client" } }).columnNames()).toEqual(["id", "client", "amount"]);
    expect(() => apply(orders(), { op: "rename", columns: { customer: "amount" } })).toThrow(
      'Step 1 (rename): renaming would overwrite the existing column "amount"',
    );
    // Swapping two names is fine: neither is kept under its old name.
    expect(apply(orders(), { op: "rename", columns: { id: "amount", amount: "id" } }).columnNames()).toEqual(["amount", "customer", "id"]);
  });

  it("filter keeps the rows where the expression holds", () => {
    const out = apply(orders(), { op: "filter", expr: "d => d.amount > 0 && d.customer === 'ada'" });
    expect(out.array("id")).toEqual([1, 3]);
  });

  it("filter with an aggregate compares against the whole batch", () => {
    // The mean is 10.625.
    expect(apply(orders(), { op: "filter", expr: "d => d.amount > op.mean(d.amount)" }).array("id")).toEqual([3]);
  });

  it("derive adds and replaces columns in order, later ones seeing earlier ones", () => {
    const out = apply(orders(), {
      op: "derive",
      columns: { gross: "d => d.amount * 1.2", amount: "d => -d.amount", label: "d => op.upper(d.customer) + ':' + d.gross" },
    });
    expect(out.columnNames()).toEqual(["id", "customer", "amount", "gross", "label"]);
    expect(out.objects()[0]).toEqual({ id: 1, customer: "ada", amount: -10, gross: 12, label: "ADA:12" });
  });

  it("derive with a window function numbers rows", () => {
    expect(apply(orders(), { op: "derive", columns: { n: "op.row_number()" } }).array("n")).toEqual([1, 2, 3, 4]);
  });

  it("cast converts values and declares the type", () => {
    const out = apply({ id: ["001", "002"], n: ["1", "2"], day: ["2024-01-01", ""] }, {
      op: "cast",
      columns: { id: "string", n: "number", day: "timestamp" },
    });
    expect(out.objects()).toEqual([
      { id: "001", n: 1, day: new Date("2024-01-01T00:00:00Z") },
      { id: "002", n: 2, day: null },
    ]);
    // Inference would say integer for n; the cast says number.
    expect(batchColumnType(out, "n")).toBe("number");
    expect(batchColumnType(out, "id")).toBe("string");
  });

  it("cast names the value, column and row of a bad value, counting earlier batches", () => {
    expect(() => apply({ amount: ["1", "2", "two"] }, { op: "cast", columns: { amount: "integer" } }, 100)).toThrow(
      'Step 1 (cast): cannot cast "two" to integer in column "amount" at row 103',
    );
  });

  it("cast as string keeps ISO-looking text from being inferred as dates", () => {
    const out = apply({ code: ["2024-01-01"] }, { op: "cast", columns: { code: "string" } });
    expect(batchColumnType(out, "code")).toBe("string");
  });

  it("fillNull replaces null, missing and NaN", () => {
    const out = apply({ a: [null, 1, undefined], b: [Number.NaN, 2, null] }, { op: "fillNull", values: { a: 0, b: -1 } });
    expect(out.objects()).toEqual([
      { a: 0, b: -1 },
      { a: 1, b: 2 },
      { a: 0, b: -1 },
    ]);
  });

  it("fillNull converts the value to a cast column's type, or says why it cannot", () => {
    const typed = withDeclaredTypes(aq.table({ n: [null, 5] }), new Map([["n", "integer"]] as const));
    expect(apply(typed, { op: "fillNull", values: { n: "0" } }).array("n")).toEqual([0, 5]);
    expect(() => apply(typed, { op: "fillNull", values: { n: "n/a" } })).toThrow(
      'Step 1 (fillNull): the fill value "n/a" for column "n" is not a integer',
    );
  });

  it("dedupe keeps the first of each duplicate, by all columns or the ones given", () => {
    const data = { k: [1, 1, 2, 1], v: ["a", "a", "b", "c"] };
    expect(apply(data, { op: "dedupe" }).objects()).toEqual([
      { k: 1, v: "a" },
      { k: 2, v: "b" },
      { k: 1, v: "c" },
    ]);
    expect(apply(data, { op: "dedupe", columns: ["k"] }).objects()).toEqual([
      { k: 1, v: "a" },
      { k: 2, v: "b" },
    ]);
  });

  it("dedupe compares objects and arrays by content", () => {
    const out = apply({ j: [{ a: 1 }, { a: 1 }, [1], [1], { a: 2 }] }, { op: "dedupe" });
    expect(out.array("j")).toEqual([{ a: 1 }, [1], { a: 2 }]);
  });

  it("sort orders by several keys, stable, nulls first ascending", () => {
    const out = apply(orders(), { op: "sort", by: [{ column: "customer" }, { column: "amount", desc: true }] });
    expect(out.array("id")).toEqual([4, 3, 1, 2]);
    expect(apply({ k: [2, 1, 2, 1], i: [1, 2, 3, 4] }, { op: "sort", by: [{ column: "k" }] }).array("i")).toEqual([2, 4, 1, 3]);
  });

  it("limit keeps the first rows", () => {
    expect(apply(orders(), { op: "limit", count: 2 }).array("id")).toEqual([1, 2]);
    expect(apply(orders(), { op: "limit", count: 0 }).numRows()).toBe(0);
  });

  it("aggregate groups and computes metrics", () => {
    const out = apply(orders(), {
      op: "aggregate",
      groupBy: ["customer"],
      metrics: {
        total: "op.sum(d.amount)",
        orders: "op.count()",
        average: "op.mean(d.amount)",
        smallest: "op.min(d.amount)",
        largest: "op.max(d.amount)",
        ids: "op.distinct(d.id)",
      },
    });
    expect(out.objects()).toEqual([
      { customer: "ada", total: 40, orders: 2, average: 20, smallest: 10, largest: 30, ids: 2 },
      { customer: "bob", total: -5, orders: 1, average: -5, smallest: -5, largest: -5, ids: 1 },
      { customer: null, total: 7.5, orders: 1, average: 7.5, smallest: 7.5, largest: 7.5, ids: 1 },
    ]);
  });

  it("aggregate without groupBy gives one row", () => {
    expect(apply(orders(), { op: "aggregate", metrics: { n: "op.count()", total: "op.sum(d.amount)" } }).objects()).toEqual([
      { n: 4, total: 42.5 },
    ]);
  });

  it("fills columns a batch lacks with nulls, as for records that leave a key out", () => {
    const out = apply(orders(), { op: "select", columns: ["id", "coupon"] });
    expect(out.objects()[0]).toEqual({ id: 1, coupon: null });
    expect(apply(orders(), { op: "filter", expr: "d => d.coupon == null" }).numRows()).toBe(4);
  });

  it("reports an expression that fails while running as an expression error", () => {
    expect(() => apply({ a: [1] }, { op: "derive", columns: { b: "op.parse_json(d.a + '{')" } })).toThrow(
      /^Step 1 \(derive\): expression error: /,
    );
  });

  it("carries declared types through rename and drops them for derived columns", () => {
    const typed = withDeclaredTypes(aq.table({ a: ["1"], b: ["x"] }), new Map([["a", "string"], ["b", "string"]] as const));
    expect([...declaredTypes(apply(typed, { op: "rename", columns: { a: "z" } }))]).toEqual([
      ["z", "string"],
      ["b", "string"],
    ]);
    expect([...declaredTypes(apply(typed, { op: "derive", columns: { b: "d => 1" } }))]).toEqual([["a", "string"]]);
    expect([...declaredTypes(apply(typed, { op: "filter", expr: "d => true" }))]).toEqual([
      ["a", "string"],
      ["b", "string"],
    ]);
  });
});
