import * as aq from "arquero";
import { describe, expect, it, vi } from "vitest";
import { CompiledExpressions } from "./compiled-expressions";

vi.mock("arquero", async (importOriginal) => {
  const original = await importOriginal<typeof import("arquero")>();
  return { ...original, parse: vi.fn(original.parse) };
});

const batch = (from: number, rows = 5) =>
  aq.table({ id: Array.from({ length: rows }, (_, i) => from + i), amount: Array.from({ length: rows }, (_, i) => (from + i) * 1.5), city: Array.from({ length: rows }, (_, i) => (i % 2 ? "Porto" : "Lisbon")) });

describe("CompiledExpressions", () => {
  it("gives what arquero's own filter and derive give, parsing an expression once per batch shape", () => {
    vi.mocked(aq.parse).mockClear();
    const expressions = new CompiledExpressions();
    for (let from = 0; from < 50; from += 5) {
      const input = batch(from);
      expect(expressions.filter(input, "d => d.id % 3 != 0").objects()).toEqual(input.filter("d => d.id % 3 != 0").objects());
      expect(expressions.derive(input, "eur", "d => d.amount * 0.92").objects()).toEqual(input.derive({ eur: "d => d.amount * 0.92" }).objects());
    }
    // arquero's own verbs parse through their own import, unseen here: these are ours.
    expect(vi.mocked(aq.parse)).toHaveBeenCalledTimes(2);
  });

  it("compiles again for a batch of other columns, and reports a column the batch lacks as arquero does", () => {
    const expressions = new CompiledExpressions();
    expect(expressions.filter(batch(0), "d => d.city == 'Porto'").numRows()).toBe(2);
    const reordered = batch(0).select("city", "id");
    expect(expressions.filter(reordered, "d => d.city == 'Porto'").objects()).toEqual([
      { city: "Porto", id: 1 },
      { city: "Porto", id: 3 },
    ]);
    const message = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return (error as Error).message;
      }
    };
    const ours = message(() => expressions.filter(batch(0).select("id"), "d => d.city == 'Porto'"));
    expect(ours).toMatch(/Invalid column reference: "d.city"/);
    expect(ours).toBe(message(() => batch(0).select("id").filter("d => d.city == 'Porto'")));
  });

  it("tells the same columns in another order apart: op.row_object() lists them in order", () => {
    const expressions = new CompiledExpressions();
    const keys = (table: aq.ColumnTable) => Object.keys(expressions.derive(table, "r", "d => op.row_object()").get("r", 0) as object);
    expect(keys(batch(0))).toEqual(["id", "amount", "city"]);
    expect(keys(batch(0).select("city", "id", "amount"))).toEqual(["city", "id", "amount"]);
  });

  it("leaves a table with parameters to arquero, which compiles their values into the expression", () => {
    const expressions = new CompiledExpressions();
    expect(expressions.filter(batch(0).params({ least: 3 }) as aq.ColumnTable, "(d, $) => d.id >= $.least").numRows()).toBe(2);
    expect(expressions.filter(batch(0).params({ least: 1 }) as aq.ColumnTable, "(d, $) => d.id >= $.least").numRows()).toBe(4);
  });

  it("leaves a table with dictionary-encoded columns to arquero, which compiles their keys into the expression", () => {
    const expressions = new CompiledExpressions();
    // Through Arrow, text columns come back dictionary-encoded, each table with its own keys.
    const encoded = (cities: string[]) => aq.fromArrow(aq.toArrowIPC(aq.table({ city: cities })));
    expect(expressions.filter(encoded(["Lisbon", "Porto", "Lisbon"]), "d => d.city == 'Lisbon'").numRows()).toBe(2);
    expect(expressions.filter(encoded(["Porto", "Lisbon", "Porto"]), "d => d.city == 'Lisbon'").array("city")).toEqual(["Lisbon"]);
  });

  it("leaves aggregate and window expressions to arquero's verbs, over the whole batch", () => {
    const expressions = new CompiledExpressions();
    const input = batch(0, 10);
    expect(expressions.filter(input, "d => d.amount > op.mean(d.amount)").array("id")).toEqual([5, 6, 7, 8, 9]);
    expect(expressions.derive(input, "previous", "d => op.lag(d.id, 1)").array("previous")).toEqual([undefined, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("keeps working past the number of shapes it holds", () => {
    const expressions = new CompiledExpressions();
    for (let shape = 0; shape < 100; shape++) {
      const input = batch(0).assign(aq.table({ [`extra${shape}`]: [1, 2, 3, 4, 5] }));
      expect(expressions.filter(input, "d => d.id > 2").numRows()).toBe(2);
    }
  });
});
