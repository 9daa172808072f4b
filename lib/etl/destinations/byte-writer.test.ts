import { describe, expect, it } from "vitest";
import { ByteWriter } from "./byte-writer";

/** jsonField's bytes: the 32-bit count, the version byte and the text; null when it declined. */
function field(value: unknown): string | null {
  const out = new ByteWriter(8);
  if (!out.jsonField(value, 1)) {
    expect(out.bytes().length).toBe(0);
    return null;
  }
  const bytes = out.bytes();
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
  expect(bytes[4]).toBe(1);
  return bytes.subarray(5).toString("utf8");
}

describe("ByteWriter.jsonField", () => {
  it("writes what JSON.stringify writes for arrays and plain objects of plain values", () => {
    const values: unknown[] = [
      ["new"],
      ["returning", "newsletter"],
      [],
      {},
      { a: 1, b: [true, false, null], c: { d: "x", e: [[-0, 1.5, 1e21, 5e-7, -12]] } },
      Object.assign(Object.create(null), { z: 1, 2: "two", a: "after" }),
      "plain",
      42,
      true,
      null,
      "x".repeat(5000),
      { " ~!#$%&'()*+,-./:;<=>?@[]^_`{|}": "printable ASCII" },
    ];
    for (const value of values) expect(field(value), JSON.stringify(value)).toBe(JSON.stringify(value));
  });

  it("declines what needs an escape, a conversion or another rule, leaving it to JSON.stringify", () => {
    const declined: unknown[] = [
      ['say "hi"'],
      ["back\\slash"],
      ["tab\t"],
      ["nul\0"],
      ["Zürich"],
      ["del\u007f"],
      { "quo\"te": 1 },
      [Number.NaN],
      [Infinity],
      [undefined],
      [1, , 3],
      { a: undefined },
      [new Date(0)],
      { toJSON: () => "x" },
      Object.assign([1], { toJSON: () => "x" }),
      [() => 1],
      [12n],
      new (class Point {
        x = 1;
      })(),
      [[[[[[[[["nine levels"]]]]]]]]],
    ];
    for (const value of declined) expect(field(value)).toBeNull();
    expect(field([[[[[[[["eight levels"]]]]]]]])).toBe('[[[[[[[["eight levels"]]]]]]]]');
  });

  it("keeps what was written before a value it declines", () => {
    const out = new ByteWriter(8);
    out.int32(7);
    expect(out.jsonField(["ok", ["fine", "Zürich"]], 1)).toBe(false);
    expect(out.bytes()).toEqual(Buffer.from([0, 0, 0, 7]));
  });
});
