import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { seeded } from "@/bench/seeded-data";
import { CsvSyntaxError, CsvTokenizer } from "./csv-tokenizer";

const MAX = 1024 * 1024;

/** Tokenizes text cut into chunks of the given sizes (the rest in one chunk). */
function tokenize(text: string, chunks: number[] = [], dialect = { delimiter: ",", quote: '"' }): string[][] {
  const tokenizer = new CsvTokenizer({ ...dialect, maxRecordChars: MAX });
  const out: string[][] = [];
  // Taking records now and then, at chunk boundaries, must not lose or split any.
  const take = () => {
    const rows = tokenizer.rowCount;
    const columns = tokenizer.take();
    // Each column holds exactly the records taken: no cell of an unfinished record, no room left over.
    for (const column of columns) expect(column.length).toBe(rows);
    for (let r = 0; r < rows; r++) out.push(columns.map((column) => column[r]!));
  };
  let at = 0;
  for (const [i, size] of chunks.entries()) {
    tokenizer.push(text.slice(at, at + size));
    at += size;
    if (i % 3 === 0) take();
  }
  tokenizer.push(text.slice(at));
  tokenizer.end();
  take();
  return out;
}

/** csv-parse with the options lib/etl/sources/file-csv.ts gives it: the reference. */
function reference(text: string, dialect = { delimiter: ",", quote: '"' }): string[][] {
  return parse(text, {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    record_delimiter: ["\r\n", "\n", "\r"],
    skip_empty_lines: true,
  }) as string[][];
}

/** Every way of cutting the text in two, and in pieces of 1 to 3 characters. */
function everySplit(text: string): number[][] {
  const splits = Array.from({ length: text.length + 1 }, (_, i) => [i]);
  for (const size of [1, 2, 3]) splits.push(Array.from({ length: Math.ceil(text.length / size) }, () => size));
  return splits;
}

const cases: Record<string, string> = {
  plain: "id,name\n1,alice\n2,bob\n",
  "no final line break": "id,name\n1,alice\n2,bob",
  crlf: "id,name\r\n1,alice\r\n2,bob\r\n",
  "bare cr": "id,name\r1,alice\r2,bob",
  "quoted delimiter and doubled quotes": 'id,city\n1,"Comma, Town"\n2,"Quote ""City"""\n3,""\n',
  "embedded newlines": 'id,note\n1,"two\nlines"\n2,"crlf\r\ninside"\n3,"ends with newline\n"\n',
  "quoted field at the end of the text": 'a,b\n1,"x"',
  "empty fields": "a,b,c\n,,\n1,,3\n,2,\n",
  "empty lines": "a,b\n\n1,2\n\n3,4\n\n\n",
  "empty lines, crlf": "a,b\r\n\r\n1,2\r\n\r\n3,4\r\n",
  "trailing delimiter": "a,b,\n1,2,\n",
  unicode: "naïve,名前\nZürich,São Paulo 🌍\n",
  "spaces kept": "a,b\n  x , y \n",
};

describe("CsvTokenizer agrees with csv-parse", () => {
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const expected = reference(text);
      for (const split of everySplit(text)) expect(tokenize(text, split)).toEqual(expected);
    });
  }

  it("semicolon, tab and pipe delimiters, and a single-quote quote", () => {
    const dialects = [
      { delimiter: ";", quote: '"' },
      { delimiter: "\t", quote: '"' },
      { delimiter: "|", quote: "'" },
    ];
    for (const dialect of dialects) {
      const d = dialect.delimiter;
      const q = dialect.quote;
      const text = `a${d}b\n1${d}${q}x${d}y${q}\n2${d}${q}it${q}${q}s${q}\n3${d},\n`;
      const expected = reference(text, dialect);
      expect(expected).toHaveLength(4);
      for (const split of everySplit(text)) expect(tokenize(text, split, dialect)).toEqual(expected);
    }
  });

  it.each(["\n", "\r\n"])("10,000 random records of quoted, multi-line and empty fields, in random chunks (%j)", (eol) => {
    const random = seeded(eol.length);
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '', 'x1'];
    const field = () => {
      let text = "";
      const length = Math.floor(random() * 6);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      return /[",\r\n]/.test(text) || (text === "" && random() < 0.3) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    let text = "";
    for (let r = 0; r < 10_000; r++) text += `${r},${field()},${field()},${field()}${eol}`;
    const expected = reference(text);
    expect(expected).toHaveLength(10_000);
    const chunks: number[] = [];
    for (let at = 0; at < text.length; ) {
      const size = 1 + Math.floor(random() * 200);
      chunks.push(size);
      at += size;
    }
    expect(tokenize(text, chunks)).toEqual(expected);
  });
});

// Every \n, \r\n and \r ends a record, whichever the first line used, so a file edited on two
// systems still reads cleanly; csv-parse does so only when told all three (file-csv.ts).
it("mixed line endings each end a record", () => {
  for (const text of ["a,b\r\n1,2\n3,4\r5,6\r\n", "a,b\n1,2\r\n3,4\r\n", "a,b\r1,2\r\n3,4\n"]) {
    const expected = [["a", "b"], ["1", "2"], ["3", "4"], ...(text.includes("5,6") ? [["5", "6"]] : [])];
    expect(reference(text)).toEqual(expected);
    for (const split of everySplit(text)) expect(tokenize(text, split)).toEqual(expected);
  }
});

describe("CsvTokenizer refuses what csv-parse refuses", () => {
  // A string is csv-parse's own message, which the tokenizer repeats word for word.
  const malformed: Record<string, [string, RegExp | string]> = {
    "a quote inside an unquoted field": ['a,b\n1,x"y\n', /quote inside the unquoted field 2 at line 2/],
    "text after a closing quote": ['a,b\n1,"x"y\n', /after the closing quote of field 2 at line 2/],
    "an unclosed quote": ['a,b\n1,"x\n2,y\n', "Quote Not Closed: the parsing is finished with an opening quote at line 3"],
    "records of different lengths": ["a,b\n1,2\n3\n", "Invalid Record Length: expect 2, got 1 on line 3"],
    "a record with more fields than the first": ["a,b\r\n1,2\r\n3,4,5\r\n", "Invalid Record Length: expect 2, got 3 on line 3"],
    "the line number counts newlines inside quotes": ['a,b\n"1\n\n",2\n3\n', "Invalid Record Length: expect 2, got 1 on line 5"],
  };
  for (const [name, [text, message]] of Object.entries(malformed)) {
    it(name, () => {
      expect(() => reference(text)).toThrow(message instanceof RegExp ? undefined : message);
      for (const split of everySplit(text)) {
        expect(() => tokenize(text, split)).toThrow(CsvSyntaxError);
        expect(() => tokenize(text, split)).toThrow(message);
      }
    });
  }

  it("a record longer than the limit", () => {
    const tokenizer = new CsvTokenizer({ delimiter: ",", quote: '"', maxRecordChars: 100 });
    expect(() => tokenizer.push(`a\n"${"x".repeat(200)}`)).toThrow(/longer than 100 characters/);
    const plain = new CsvTokenizer({ delimiter: ",", quote: '"', maxRecordChars: 100 });
    expect(() => plain.push(`a,b\n1,2\n${"x".repeat(200)},y\n`)).toThrow(/a record starting at line 3 is longer than 100 characters/);
  });
});
