import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db/client";
import { filterValueProblem } from "@/lib/schemas/results";

/** Values PostgreSQL reads, or refuses, for each type the results API checks before asking it. */
const VALUES = {
  bigint: ["42", " -7 ", "\t+3\n", "0", "007", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", "1e3", "", "abc", "- 1", "\u00a042", "42\u2003"],
  "double precision": ["1", "-2.5", ".5", "5.", "1e3", "1E-3", " 7 ", "Infinity", "-inf", "NaN", "nan", "+nan", "-NaN", "nan()", "nan(123)", "+Infinity", "0x10", "0x1.8p3", "-0X.8", "abc", "", "1e", "1.2.3", "--1", "0x", "0xg", "\u00a01"],
  boolean: ["true", "TRUE", "t", "tr", "tru", "yes", "y", "no", "n", "on", "off", "of", "1", "0", " false ", "f", "fals", "maybe", "o", "2", "", "truee", "yess", "\u00a0true"],
  uuid: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC999C0B4EF8BB6D6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "42", "", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-"],
  jsonb: ['{"a":1}', "[1,2]", "3", '"text"', "null", "abc", "{", "", "[1,]"],
} as const;
const API_TYPES = { bigint: "integer", "double precision": "number", boolean: "boolean", uuid: "uuid", jsonb: "json" } as const;
/** Integers only PostgreSQL 16 and later read: let through, for the server to judge by its version. */
const PG16_INTEGERS = ["0x1F", "-0o17", "0b101", "1_000", "0X_1"];

async function postgresReads(value: string, type: string): Promise<boolean> {
  try {
    await sql.unsafe(`SELECT $1::text::${type}`, [value]);
    return true;
  } catch (error) {
    expect((error as { code?: string }).code?.startsWith("22"), `${value} as ${type}: ${(error as Error).message}`).toBe(true);
    return false;
  }
}

describe("filter values checked before a query", () => {
  it.each(Object.entries(VALUES))("refuses exactly what PostgreSQL refuses as %s", async (pgType, values) => {
    for (const value of values) {
      const accepted = filterValueProblem(API_TYPES[pgType as keyof typeof API_TYPES], value) === undefined;
      expect(accepted, `"${value}" as ${pgType}`).toBe(await postgresReads(value, pgType));
    }
  });

  it("lets integers in PostgreSQL 16's new forms through, whichever version answers", () => {
    for (const value of PG16_INTEGERS) expect(filterValueProblem("integer", value), value).toBeUndefined();
  });
});
