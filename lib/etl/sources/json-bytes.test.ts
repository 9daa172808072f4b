import { describe, expect, it, vi } from "vitest";
import { seeded } from "@/bench/seeded-data";
import { parseJsonBytes } from "./json-bytes";

/** What JSON.parse makes of the same text: the value, or its error message. */
function reference(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function parsed(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseJsonBytes(Buffer.from(text, "utf8")) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The length of every text JSON.parse is given while parsing these bytes, in order, and how many of them it refused. */
function parsedTexts(bytes: Buffer): { lengths: number[]; refused: number } {
  const parse = JSON.parse;
  const lengths: number[] = [];
  let refused = 0;
  const spy = vi.spyOn(JSON, "parse").mockImplementation((text: string) => {
    lengths.push(text.length);
    try {
      return parse(text);
    } catch (error) {
      refused++;
      throw error;
    }
  });
  try {
    parseJsonBytes(bytes);
  } catch {
    // Only the texts matter here.
  } finally {
    spy.mockRestore();
  }
  return { lengths, refused };
}

/** The longest text JSON.parse is given while parsing these bytes. */
function longestParsedText(bytes: Buffer): number {
  return Math.max(0, ...parsedTexts(bytes).lengths);
}

/** A piece's text: its elements (at most 48 KB of them) and the brackets around them. */
const PIECE_CHARS = 48 * 1024 + 2;

/**
 * The same value or error as JSON.parse; and for valid JSON whose every string and number is
 * small, no text longer than a piece: the body was cut, not parsed again whole after a misstep.
 */
function expectLikeJsonParse(text: string, { cut = true } = {}) {
  const result = parsed(text);
  expect(result).toStrictEqual(reference(text));
  if (!("value" in result)) return;
  expect(JSON.stringify(result.value)).toBe(JSON.stringify(JSON.parse(text)));
  if (cut) expect(longestParsedText(Buffer.from(text))).toBeLessThanOrEqual(PIECE_CHARS);
}

const record = (i: number) => ({
  id: i,
  name: `Customer ${i}`,
  city: ["Zürich", "São Paulo", 'Quote "City"', "東京", "emoji 😀", "back\\slash"][i % 6],
  tags: i % 2 ? ["a", "b"] : [],
  nested: { deep: { deeper: [i, i / 3, null, true, false, { e: "}]" }] } },
});

/** Large enough to be cut into many pieces. */
const records = (count: number) => Array.from({ length: count }, (_, i) => record(i));

describe("parseJsonBytes", () => {
  it("parses a paginated API's page as JSON.parse does", () => {
    expectLikeJsonParse(JSON.stringify({ data: records(3000), links: { next: "https://api.example/x?page=2" } }));
  });

  it("parses a large top-level array, pretty-printed, with every kind of whitespace", () => {
    expectLikeJsonParse(JSON.stringify(records(2000), null, 2));
    expectLikeJsonParse(` \t\r\n${JSON.stringify(records(2000), null, "\t").replace(/\n/g, "\r\n")}\n `);
  });

  it("cuts large objects between members, keeping their order, duplicates and __proto__ as JSON.parse does", () => {
    const members = Array.from({ length: 5000 }, (_, i) => `"k${i % 4000}": ${JSON.stringify(record(i))}`);
    const text = `{"__proto__": {"polluted": true}, ${members.join(",")}, "10": 1, "2": 2, "__proto__": [1]}`;
    expectLikeJsonParse(text);
    const value = parseJsonBytes(Buffer.from(text)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value).slice(0, 3)).toEqual(["2", "10", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("guesses where the pieces of an array whose elements start alike end, past 32 KB", () => {
    const page = Buffer.from(JSON.stringify({ data: records(3000), links: { next: null } }));
    const { lengths, refused } = parsedTexts(page);
    // A guess ends at the first element's end past 32 KB (fewer characters than bytes here);
    // following the bytes fills a piece to nearly 48 KB. What is left of the array at its end is
    // the one piece that may be longer.
    expect(lengths.filter((length) => length > 24 * 1024 && length < 33 * 1024).length).toBeGreaterThan(5);
    expect(lengths.filter((length) => length >= 33 * 1024).length).toBeLessThanOrEqual(1);
    expect(refused).toBe(0);
    expectLikeJsonParse(page.toString());
  });

  it("parses as JSON.parse does when a guess falls inside an element, pretty-printed or not", () => {
    // Children start as their parents do, so `},{"id":` is found inside elements too (elements of
    // varying length, so that the search past 32 KB starts at varying places in them).
    const children = (i: number) => Array.from({ length: 12 }, (_, c) => ({ id: i * 100 + c }));
    const family = Array.from({ length: 1000 }, (_, i) => ({ id: i, children: children(i), name: "p".repeat(i % 97) }));
    expect(parsedTexts(Buffer.from(JSON.stringify(family))).refused).toBeGreaterThan(0);
    expectLikeJsonParse(JSON.stringify(family));
    expectLikeJsonParse(JSON.stringify(family, null, 2));
    // Strings that hold what ends an element and starts the next: a guess there fails.
    const lists = Array.from({ length: 2000 }, () => [1, 2, 3, 4, 5, 6, 7, 8, "],[1,2,3,4,5,6,7,8 ".repeat(6)]);
    expect(parsedTexts(Buffer.from(JSON.stringify(lists))).refused).toBeGreaterThan(0);
    expectLikeJsonParse(JSON.stringify(lists));
    const nested = Array.from({ length: 3000 }, (_, i) => [[i, "a"], [i, "b"]]);
    expectLikeJsonParse(JSON.stringify(nested));
  });

  it("parses values larger than a piece: long strings, large nested containers, deep nesting", () => {
    expectLikeJsonParse(JSON.stringify({ big: "x".repeat(300_000), list: [records(1500), [records(1500)]] }), { cut: false });
    expectLikeJsonParse(`${"[".repeat(100)}${JSON.stringify(records(2000))}${"]".repeat(100)}`, { cut: false });
    expectLikeJsonParse(`${"[".repeat(20)}${JSON.stringify(records(2000))}${"]".repeat(20)}`);
    expectLikeJsonParse(JSON.stringify({ escaped: Array.from({ length: 5000 }, () => '\\"}],{[\\'), after: records(10) }));
  });

  it("parses numbers and literals at the cuts, and bodies at the size where cutting starts", () => {
    const pad = (i: number) => ({ i, pad: "p".repeat(30_000) });
    for (const scalar of ["-0", "1e5", "-1.5E+3", "0.000001", "true", "null", "false", "-12345678901234567890"]) {
      expectLikeJsonParse(`[${JSON.stringify(pad(1))},${scalar},${JSON.stringify(pad(2))},${scalar}]`);
      expectLikeJsonParse(`{"a":${JSON.stringify(pad(1))},"n":${scalar},"b":${JSON.stringify(pad(2))},"m":${scalar}}`);
    }
    for (const size of [48 * 1024 - 1, 48 * 1024, 48 * 1024 + 1]) {
      const array = `[${'"x",'.repeat(Math.floor((size - 5) / 4))}"x"]`;
      const body = array + " ".repeat(size - array.length);
      expect(body.length).toBe(size);
      expectLikeJsonParse(body);
    }
    expectLikeJsonParse(JSON.stringify("s".repeat(100_000)), { cut: false });
  });

  it("keeps integer-like keys first, in ascending order, wherever the cuts fall", () => {
    const members = Array.from({ length: 3000 }, (_, i) => `"${(i * 7919) % 5000}":${JSON.stringify(record(i))},"k${i}":${i}`);
    expectLikeJsonParse(`{${members.join(",")}}`);
  });

  it("keeps a member's name and value in one piece, however long the name", () => {
    // 49,149 bytes: under a piece by itself, over one with its name.
    const value = `[${'"v",'.repeat(12_286)}"v"]`;
    expectLikeJsonParse(`{"key":${value},"b":1}`);
    expectLikeJsonParse(`{"${"n".repeat(60_000)}":${value},"b":1}`, { cut: false });
  });

  it("parses what only two-byte characters make large", () => {
    expectLikeJsonParse(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => `語${i}😀`)));
  });

  it("gives JSON.parse's own error for text that is not JSON", () => {
    const valid = JSON.stringify({ data: records(2000) });
    const broken = [
      valid.slice(0, -1),
      `${valid}x`,
      `${valid},`,
      valid.replace('"id":1000,', '"id":1000,,'),
      valid.replace('"id":1000,', '"id":1000'),
      valid.replace('"id":1500', '"id" 1500'),
      valid.replace("]}", ",]}"),
      valid.replace("[", "[,"),
      valid.replace('"id":1999', "'id':1999"),
      valid.replace('"tags":["a","b"]', '"tags":["a","b"}'),
      valid.replace("true", "tru"),
      valid.replace("null", "NaN"),
      valid.replace('"Customer 1700"', '"Customer\n1700"'),
      valid.replace('"Customer 10"', '"Customer 10'),
      `${valid.slice(0, 60_000)}\u00a0${valid.slice(60_000)}`,
      "[".repeat(70_000),
      `{"a": ${"1".repeat(100_000)}x}`,
    ];
    for (const text of broken) expectLikeJsonParse(text);
  });

  it("checks the text between pieces: elements each as large as a piece are cut at every comma", () => {
    const elements = Array.from({ length: 8 }, (_, i) => JSON.stringify({ i, pad: "p".repeat(30_000) }));
    expectLikeJsonParse(`[${elements.join(",")}]`);
    for (const separator of [":", ";", "", ",,", ", ,", "]", "}", "][", " ", "\f,", ",\v", "\u2028,", "\ufeff,", "\u00a0,"]) {
      expectLikeJsonParse(`[${elements.slice(0, 4).join(",")}${separator}${elements.slice(4).join(",")}]`);
      expectLikeJsonParse(`{"a":${elements[0]},"b"${separator}${elements[1]}}`);
      expectLikeJsonParse(`{"a":${elements[0]}${separator}"b":${elements[1]}}`);
    }
  });

  it("agrees with JSON.parse on random documents, valid and damaged", () => {
    const random = seeded(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const scalar = () => pick([() => Math.floor(random() * 1e6) / 7, () => pick(["", "ü", '"', "\\", "}", "[,]", "😀", "a b"]).repeat(1 + Math.floor(random() * 5)), () => null, () => random() < 0.5])();
    // Up to about 200 kB a document: wide at the top, so that it is cut, and nested below.
    let budget = 0;
    const value = (depth: number): unknown => {
      if (depth > 6 || budget <= 0 || random() < 0.3) return scalar();
      const size = Math.floor(random() * (depth < 2 ? 400 : 8));
      budget -= size;
      return random() < 0.5
        ? Array.from({ length: size }, () => value(depth + 1))
        : Object.fromEntries(Array.from({ length: size }, (_, i) => [pick(["k", "__proto__", "x y", `${i}`, "ü"]) + (i % 7), value(depth + 1)]));
    };
    const breakers = ["", "", ",", "]", "}", "[", "{", '"', ":", "x", " "];
    for (let i = 0; i < 60; i++) {
      budget = 8000;
      let text = JSON.stringify(value(0), null, random() < 0.3 ? 1 : undefined) ?? "null";
      const breaker = pick(breakers);
      if (breaker) {
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + breaker + text.slice(at);
      }
      expectLikeJsonParse(text);
    }
  });
});
