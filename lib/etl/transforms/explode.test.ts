import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { explodeBatch } from "./explode";
import { normalizeRecords } from "./normalize";
import { tableFrom, withDeclaredTypes, declaredTypes } from "./batch";

function explode(data: Record<string, unknown[]>, options: Parameters<typeof explodeBatch>[1]) {
  const result = explodeBatch(aq.table(data), options);
  if ("collisions" in result) throw new Error(`collisions: ${result.collisions.join(", ")}`);
  return result.batch;
}

describe("explodeBatch", () => {
  it("matches pandas json_normalize(data, 'counties', ['state', 'shortname', ['info', 'governor']])", () => {
    const data = [
      {
        state: "Florida",
        shortname: "FL",
        info: { governor: "Rick Scott" },
        counties: [
          { name: "Dade", population: 12345 },
          { name: "Broward", population: 40000 },
          { name: "Palm Beach", population: 60000 },
        ],
      },
      {
        state: "Ohio",
        shortname: "OH",
        info: { governor: "John Kasich" },
        counties: [
          { name: "Summit", population: 1234 },
          { name: "Cuyahoga", population: 1337 },
        ],
      },
    ];
    const result = explodeBatch(tableFrom(normalizeRecords(data)), { column: "counties", prefix: "" });
    if ("collisions" in result) throw new Error("unexpected collision");
    const out = result.batch.select(["name", "population", "state", "shortname", "info.governor"]);
    expect(out.objects()).toEqual([
      { name: "Dade", population: 12345, state: "Florida", shortname: "FL", "info.governor": "Rick Scott" },
      { name: "Broward", population: 40000, state: "Florida", shortname: "FL", "info.governor": "Rick Scott" },
      { name: "Palm Beach", population: 60000, state: "Florida", shortname: "FL", "info.governor": "Rick Scott" },
      { name: "Summit", population: 1234, state: "Ohio", shortname: "OH", "info.governor": "John Kasich" },
      { name: "Cuyahoga", population: 1337, state: "Ohio", shortname: "OH", "info.governor": "John Kasich" },
    ]);
  });

  it("prefixes flattened element keys with '<column>.' by default, in the array's place", () => {
    const out = explode({ id: [1, 2], lines: [[{ sku: "A", qty: 2, meta: { gift: true } }], [{ sku: "B" }]], total: [10, 20] }, { column: "lines" });
    expect(out.columnNames()).toEqual(["id", "lines.sku", "lines.qty", "lines.meta.gift", "total"]);
    expect(out.objects()).toEqual([
      { id: 1, "lines.sku": "A", "lines.qty": 2, "lines.meta.gift": true, total: 10 },
      { id: 2, "lines.sku": "B", "lines.qty": null, "lines.meta.gift": null, total: 20 },
    ]);
  });

  it("keeps scalar elements in the column itself, like pandas' DataFrame.explode", () => {
    const out = explode({ id: [1, 2], tags: [["x", "y"], ["z"]] }, { column: "tags" });
    expect(out.objects()).toEqual([
      { id: 1, tags: "x" },
      { id: 1, tags: "y" },
      { id: 2, tags: "z" },
    ]);
  });

  it("drops empty arrays and nulls unless keepEmpty, and treats a lone value as a one-element list", () => {
    const data = { id: [1, 2, 3, 4], tags: [[], null, "solo", ["a"]] };
    expect(explode(data, { column: "tags" }).objects()).toEqual([
      { id: 3, tags: "solo" },
      { id: 4, tags: "a" },
    ]);
    expect(explode(data, { column: "tags", keepEmpty: true }).objects()).toEqual([
      { id: 1, tags: null },
      { id: 2, tags: null },
      { id: 3, tags: "solo" },
      { id: 4, tags: "a" },
    ]);
  });

  it("mixes object and scalar elements", () => {
    const out = explode({ v: [[{ a: 1 }, 2]] }, { column: "v", prefix: "v_" });
    expect(out.columnNames()).toEqual(["v", "v_a"]);
    expect(out.objects()).toEqual([
      { v: null, v_a: 1 },
      { v: 2, v_a: null },
    ]);
  });

  it("reports prefixed names that would overwrite other columns", () => {
    const result = explodeBatch(aq.table({ name: ["x"], items: [[{ name: "y" }]] }), { column: "items", prefix: "" });
    expect(result).toEqual({ collisions: ["name"] });
  });

  it("keeps other columns' declared types and drops the exploded one's", () => {
    const batch = withDeclaredTypes(aq.table({ id: ["1"], tags: [["a"]] }), new Map([["id", "string"], ["tags", "json"]] as const));
    const result = explodeBatch(batch, { column: "tags" });
    if ("collisions" in result) throw new Error("unexpected collision");
    expect([...declaredTypes(result.batch)]).toEqual([["id", "string"]]);
  });
});
