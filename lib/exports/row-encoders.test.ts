import { describe, expect, it } from "vitest";
import { csvField, rowEncoder } from "./row-encoders";

describe("csvField", () => {
  it("writes plain values bare and null as an empty field", () => {
    expect(csvField("Ada")).toBe("Ada");
    expect(csvField(12.5)).toBe("12.5");
    expect(csvField(false)).toBe("false");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("quotes delimiters, quotes, line breaks and surrounding spaces, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField("tab\t")).toBe('"tab\t"');
  });

  it("writes JSON values as compact JSON, quoted when needed", () => {
    expect(csvField(["vip", "new"])).toBe('"[""vip"",""new""]"');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe("rowEncoder", () => {
  const rows = [
    { id: 1, name: "Ada", tags: ["x"], note: null },
    { id: 2, name: "Bob, Jr", tags: null, note: "late" },
  ];

  it("csv: a header row, then one CRLF line per row in column order", () => {
    const csv = rowEncoder("csv", ["id", "name", "tags", "note"]);
    expect(csv.contentType).toBe("text/csv; charset=utf-8");
    expect(csv.start()).toBe("id,name,tags,note\r\n");
    expect(csv.rows(rows)).toBe('1,Ada,"[""x""]",\r\n2,"Bob, Jr",,late\r\n');
    expect(csv.rows([])).toBe("");
  });

  it("csv: quotes column names that need it", () => {
    expect(rowEncoder("csv", ["a,b", "c"]).start()).toBe('"a,b",c\r\n');
  });

  it("ndjson: one object per line with every column, in column order", () => {
    const ndjson = rowEncoder("ndjson", ["name", "id", "missing"]);
    expect(ndjson.contentType).toBe("application/x-ndjson; charset=utf-8");
    expect(ndjson.start()).toBe("");
    expect(ndjson.rows(rows)).toBe('{"name":"Ada","id":1,"missing":null}\n{"name":"Bob, Jr","id":2,"missing":null}\n');
  });
});
