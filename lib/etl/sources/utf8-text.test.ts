import { describe, expect, it } from "vitest";
import { strictUtf8Text, Utf8StreamDecoder, utf8Text } from "./utf8-text";

const MIXED = "id,city\n1,Zürich\n2,São Paulo\n3,東京\n4,€ 5 😀\n5,plain\0end";
const INVALID = {
  overlong: [0xc0, 0x80],
  "overlong of three bytes": [0xe0, 0x80, 0xaf],
  surrogate: [0xed, 0xa0, 0x80],
  "truncated character": [0xe2, 0x82],
  "lone continuation byte": [0x80],
  "beyond U+10FFFF": [0xf4, 0x90, 0x80, 0x80],
  "invalid lead byte": [0xf8, 0x88, 0x80, 0x80, 0x80],
};

type Decoder = { decode(piece?: Uint8Array, options?: { stream?: boolean }): string };

/** What each call of a decoder answers for the pieces, then the stream's end, up to the call that throws ("throws"). */
function calls(decoder: Decoder, pieces: Buffer[]): string[] {
  const answers: string[] = [];
  try {
    for (const piece of pieces) answers.push(decoder.decode(piece, { stream: true }));
    answers.push(decoder.decode());
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    answers.push("throws");
  }
  return answers;
}

const standard = (pieces: Buffer[]) => calls(new TextDecoder("utf-8", { fatal: true }), pieces);
const streamed = (pieces: Buffer[]) => calls(new Utf8StreamDecoder(), pieces);
const text = (answers: string[]) => (answers.at(-1) === "throws" ? "throws" : answers.join(""));

/** A deterministic generator, so a failure can be replayed. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("strictUtf8Text and utf8Text", () => {
  it("read valid UTF-8 as Buffer#toString does, ASCII and the byte order mark included", () => {
    for (const text of [MIXED, "only ascii", "\ufeffwith a mark", ""]) {
      const bytes = Buffer.from(text);
      expect(strictUtf8Text(bytes)).toBe(text);
      expect(utf8Text(bytes)).toBe(text);
    }
  });

  it("refuse every sequence that is not UTF-8, which utf8Text then reads as Buffer#toString does", () => {
    for (const [name, sequence] of Object.entries(INVALID)) {
      const bytes = Buffer.from([0x61, ...sequence, 0x62, 0xc3, 0xbc]);
      expect(strictUtf8Text(bytes), name).toBeUndefined();
      expect(utf8Text(bytes), name).toBe(bytes.toString("utf8"));
    }
  });

  it("read a view into a larger buffer, not the buffer around it", () => {
    const whole = Buffer.from(`xx${MIXED}yy`);
    expect(strictUtf8Text(whole.subarray(2, whole.length - 2))).toBe(MIXED);
  });
});

describe("Utf8StreamDecoder", () => {
  it("decodes a text cut at any byte as the standard decoder does, characters split between pieces included", () => {
    const bytes = Buffer.from(`\ufeff${MIXED}`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const pieces = [bytes.subarray(0, cut), bytes.subarray(cut)];
      expect(text(streamed(pieces))).toBe(MIXED);
    }
    expect(text(streamed([...bytes].map((byte) => Buffer.from([byte]))))).toBe(MIXED);
  });

  it("drops a byte order mark only at the start of the stream", () => {
    const mark = Buffer.from("\ufeff");
    expect(text(streamed([mark.subarray(0, 1), mark.subarray(1), Buffer.from("a"), mark]))).toBe("a\ufeff");
    // A call without `stream` ends the stream: the next call starts another, whose mark is dropped too.
    const decoder = new Utf8StreamDecoder();
    expect([decoder.decode(Buffer.from("\ufeffa")), decoder.decode(Buffer.from("\ufeffb"))]).toEqual(["a", "b"]);
  });

  it("throws where the standard decoder throws: invalid bytes, and a character the stream ends inside", () => {
    for (const [name, sequence] of Object.entries(INVALID)) {
      const pieces = [Buffer.from("ok "), Buffer.from(sequence), Buffer.from(" ok")];
      expect(streamed(pieces), name).toEqual(standard(pieces));
      expect(streamed(pieces).at(-1), name).toBe("throws");
    }
    expect(text(streamed([Buffer.from("ends inside "), Buffer.from([0xe2, 0x82])]))).toBe("throws");
  });

  it("answers each call as the standard decoder does, on random bytes cut at random places", () => {
    const random = seeded(7);
    const alphabet = [0x61, 0x0a, 0xc3, 0xbc, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xed, 0xa0, 0xc0, 0xff, 0xe0, 0x90, 0xf4, 0xf5, 0xc1, 0xbf];
    for (let round = 0; round < 20_000; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 24) }, () => alphabet[Math.floor(random() * alphabet.length)]!));
      const cuts = [0, ...Array.from({ length: 3 }, () => Math.floor(random() * bytes.length)), bytes.length].sort((a, b) => a - b);
      const pieces = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
      expect(streamed(pieces), bytes.toString("hex")).toEqual(standard(pieces));
    }
  });
});
