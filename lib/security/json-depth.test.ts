import { describe, expect, it } from "vitest";
import { jsonDepth, MAX_JSON_DEPTH } from "./json-depth";

describe("jsonDepth", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('["[[[[", "\\"[[[", {"k]": "}}}"}]')).toBe(2);
    expect(jsonDepth('[[1],[2],[3]]')).toBe(2);
  });

  it("stops counting past the limit, so 100k levels cost no more than the limit", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(jsonDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
    expect(jsonDepth('{"a":'.repeat(10) + "1" + "}".repeat(10), 5)).toBe(6);
  });

  it("agrees with a character-by-character reading on any text, escaped quotes and backslash runs included", () => {
    const byCharacter = (text: string) => {
      let depth = 0;
      let deepest = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
        else if (c === "]" || c === "}") depth--;
      }
      return deepest;
    };
    const alphabet = ['"', "\\", "[", "]", "{", "}", "a", ",", ":"];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let n = 0; n < 20_000; n++) {
      const text = Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join("");
      expect(jsonDepth(text), text).toBe(byCharacter(text));
    }
    const nested = { 'k"]': ["\\", '\\"', "[{", { x: [[{ y: "\\\\\"}" }]] }], z: "}" };
    expect(jsonDepth(JSON.stringify(nested))).toBe(byCharacter(JSON.stringify(nested)));
  });
});
