import { describe, expect, it } from "vitest";
import { jsonValueDepth, MAX_JSON_DEPTH } from "./json-depth";

const depthOf = (text: string, limit?: number) => jsonValueDepth(JSON.parse(text), limit);

describe("jsonValueDepth", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(depthOf("1")).toBe(0);
    expect(depthOf("null")).toBe(0);
    expect(depthOf("[]")).toBe(1);
    expect(depthOf('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(depthOf('["[[[[", "\\"[[[", {"k]": "}}}"}]')).toBe(2);
    expect(depthOf("[[1],[2],[3]]")).toBe(2);
    expect(depthOf('[1, {"a": {"b": null}}, [[[]]]]')).toBe(4);
  });

  it("stops past the limit, so a value a million levels deep is refused without overflowing the stack", () => {
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(depthOf(deep)).toBe(MAX_JSON_DEPTH + 1);
    expect(depthOf('{"a":'.repeat(1_000_000) + "1" + "}".repeat(1_000_000))).toBe(MAX_JSON_DEPTH + 1);
    expect(depthOf("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
    expect(depthOf('{"a":'.repeat(10) + "1" + "}".repeat(10), 5)).toBe(6);
  });

  it("finds the deepest branch wherever it is", () => {
    const wide = Array.from({ length: 1000 }, (_, i) => (i === 737 ? [[[[{ x: [1] }]]]] : { a: [i] }));
    expect(jsonValueDepth(wide)).toBe(7);
  });
});
