import type { ColumnType } from "@/lib/schemas/jobs";

/**
 * One type inference for preview, the dataset destination and the results API, so the same data
 * always gets the same column types. Values keep their JSON type; strings are recognised as dates
 * or timestamps only when they are ISO 8601, since anything looser (like "03/04") is ambiguous.
 */

const MAX_BIGINT = 9223372036854775807n;

export function valueType(value: unknown): ColumnType | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isSafeInteger(value) ? "integer" : "number";
    case "bigint":
      return value <= MAX_BIGINT && value >= -MAX_BIGINT ? "integer" : "string";
    case "string":
      return isoType(value);
    case "object":
      return value instanceof Date ? "timestamp" : "json";
    default:
      return "string";
  }
}

/** The narrowest type that holds both: integers widen to numbers, dates to timestamps, the rest to strings. */
export function mergeTypes(a: ColumnType | null, b: ColumnType | null): ColumnType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if ((a === "integer" || a === "number") && (b === "integer" || b === "number")) return "number";
  if ((a === "date" || a === "timestamp") && (b === "date" || b === "timestamp")) return "timestamp";
  return "string";
}

/** The type of values that keep their own type (JSON, Excel cells, databases): a string is a string. */
export function inferColumnType(values: ArrayLike<unknown>): ColumnType | null {
  let type: ColumnType | null = null;
  for (let i = 0; i < values.length; i++) {
    const next = valueType(values[i]);
    if (next !== null && next !== type) {
      type = mergeTypes(type, next);
      if (type === "string") return type;
    }
  }
  return type;
}

/** Where typeTextColumn keeps the numbers and booleans it read until the column's type is known; reused, it grows to the largest batch. */
let scratch = new Float64Array(0);

/**
 * Types a column of text cells (CSV), where every value arrived as text, and converts the cells in
 * place. A cell is also recognised as the integer, number or boolean it spells, written the plain
 * way: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? and true/false in any case. "007" (an ID with leading
 * zeros) and integers past 2^53 (which a double would round) stay strings, and so do "1,5", ".5",
 * "+1", "1e400" and "yes". An empty cell means no value and becomes null. The cells become numbers
 * or booleans only where the whole column holds them, so "42" is 42 in a column of numbers and
 * "42" among words.
 *
 * This is the per-cell work of a CSV run, so it is one pass of char-code tests rather than regular
 * expressions, and numbers are computed while their digits are read instead of by Number() in a
 * second pass; infer-types.test.ts holds the regular expressions as the reference it must match.
 *
 * A column is "string" here from its first cell shaped like a date: such a column is never
 * converted, whether it holds dates, timestamps or text, and its type is read where types are
 * read (inferColumnType at load, or a cast's), so no date is read here as well.
 */
export function typeTextColumn(cells: unknown[]): ColumnType | null {
  const rows = cells.length;
  if (scratch.length < rows) scratch = new Float64Array(rows);
  const values = scratch;
  let type: ColumnType | null = null;
  for (let r = 0; r < rows && type !== "string"; r++) {
    const next = readText(cells[r] as string, values, r);
    if (next !== null && next !== type) type = mergeTypes(type, next);
  }
  if (type === "integer" || type === "number") {
    for (let r = 0; r < rows; r++) cells[r] = cells[r] === "" ? null : values[r];
  } else if (type === "boolean") {
    for (let r = 0; r < rows; r++) cells[r] = cells[r] === "" ? null : values[r] === 1;
  } else {
    for (let r = 0; r < rows; r++) if (cells[r] === "") cells[r] = null;
  }
  return type;
}

const ZERO = 48;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const SPACE = 32;
const LOWER_E = 101;
const LOWER_T = 116;
const LOWER_Z = 122;

/** Digits that always make an exact double as an integer (10^15 < 2^53). */
const EXACT_DIGITS = 15;
/** Powers of ten, all exact doubles, written out because `10 ** k` is not guaranteed to be exact. */
const POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** A cell's type; a number or boolean (1 for true, 0 for false) is stored in values[row]. */
function readText(text: string, values: Float64Array, row: number): ColumnType | null {
  if (text.length === 0) return null;
  const first = text.charCodeAt(0);
  if (first === MINUS || isDigit(first)) return readNumber(text, values, row) ?? "string";
  const boolean = booleanValue(text);
  if (boolean === -1) return "string";
  values[row] = boolean;
  return "boolean";
}

/**
 * A cell written as -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?, or undefined when it is not. Integers
 * must be safe and other numbers finite, else the cell is a string. The plain forms, without an
 * exponent and with at most EXACT_DIGITS digits, are computed while read: the digits make an exact
 * integer and the fraction one division by an exact power of ten, which rounds correctly and so
 * gives what Number(text) gives. The rest, rare in files, go through Number().
 */
function readNumber(text: string, values: Float64Array, row: number): ColumnType | undefined {
  const n = text.length;
  const negative = text.charCodeAt(0) === MINUS;
  const start = negative ? 1 : 0;
  let i = start;
  let code = i < n ? text.charCodeAt(i) : 0;
  let mantissa = 0;
  if (code === ZERO) i++;
  else if (!isDigit(code)) return undefined;
  else {
    do {
      mantissa = mantissa * 10 + (code - ZERO);
      i++;
    } while (i < n && isDigit((code = text.charCodeAt(i))));
  }
  let decimals = 0;
  if (i < n && text.charCodeAt(i) === DOT) {
    const from = ++i;
    for (; i < n && isDigit((code = text.charCodeAt(i))); i++) mantissa = mantissa * 10 + (code - ZERO);
    if (i === from) return undefined;
    decimals = i - from;
  }
  const type = decimals > 0 ? "number" : "integer";
  if (i < n) return lower(text, i) === LOWER_E && isExponent(text, i + 1) ? readByNumber(text, values, row, "number") : undefined;
  if (i - start - (decimals > 0 ? 1 : 0) > EXACT_DIGITS) return readByNumber(text, values, row, type);
  const magnitude = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa;
  values[row] = negative ? -magnitude : magnitude;
  return type;
}

/** [+-]?\d+ from i to the end of the text. */
function isExponent(text: string, i: number): boolean {
  const n = text.length;
  if (i < n && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
  if (i === n) return false;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  return i === n;
}

/** A cell written as a number, valued by Number(): a string when the double rounds an integer or overflows. */
function readByNumber(text: string, values: Float64Array, row: number, type: "integer" | "number"): ColumnType {
  const value = Number(text);
  if (type === "integer" ? !Number.isSafeInteger(value) : !Number.isFinite(value)) return "string";
  values[row] = value;
  return type;
}

/**
 * "date" for YYYY-MM-DD, "timestamp" for a date, T (or a space), hh:mm, optional :ss with up to
 * nine digits of fraction, and an optional Z or ±hh, ±hhmm or ±hh:mm offset; else "string".
 * Fields are range-checked (month 01-12, day 01-31, hour 00-23) but dates are not checked against
 * the calendar: 2023-02-31 is a date, as it always has been here.
 */
function isoType(text: string): ColumnType {
  const n = text.length;
  if (n < 10 || !isDigit4(text) || text.charCodeAt(4) !== MINUS || !twoDigits(text, 5, 1, 12)) return "string";
  if (text.charCodeAt(7) !== MINUS || !twoDigits(text, 8, 1, 31)) return "string";
  if (n === 10) return "date";
  if (n < 16) return "string";
  if (text.charCodeAt(10) !== SPACE && lower(text, 10) !== LOWER_T) return "string";
  if (!twoDigits(text, 11, 0, 23) || text.charCodeAt(13) !== COLON || !twoDigits(text, 14, 0, 59)) return "string";
  let i = 16;
  if (i < n && text.charCodeAt(i) === COLON) {
    if (!twoDigits(text, i + 1, 0, 59)) return "string";
    i += 3;
    if (i < n && text.charCodeAt(i) === DOT) {
      const from = ++i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i === from || i - from > 9) return "string";
    }
  }
  return i === n || isZone(text, i) ? "timestamp" : "string";
}

/** Z, or ±hh, ±hhmm or ±hh:mm, from i (within the text) to its end. */
function isZone(text: string, i: number): boolean {
  const n = text.length;
  if (lower(text, i) === LOWER_Z) return i + 1 === n;
  const code = text.charCodeAt(i);
  if ((code !== PLUS && code !== MINUS) || !twoDigits(text, i + 1, 0, 23)) return false;
  i += 3;
  if (i === n) return true;
  if (text.charCodeAt(i) === COLON) i++;
  return i + 2 === n && twoDigits(text, i, 0, 59);
}

/** The first four characters (of a text at least that long) are digits. */
function isDigit4(text: string): boolean {
  return isDigit(text.charCodeAt(0)) && isDigit(text.charCodeAt(1)) && isDigit(text.charCodeAt(2)) && isDigit(text.charCodeAt(3));
}

/** Two digits at i whose value is within [min, max]. */
function twoDigits(text: string, i: number, min: number, max: number): boolean {
  if (i + 2 > text.length) return false;
  const tens = text.charCodeAt(i);
  const ones = text.charCodeAt(i + 1);
  if (!isDigit(tens) || !isDigit(ones)) return false;
  const value = (tens - ZERO) * 10 + ones - ZERO;
  return value >= min && value <= max;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

/** 1 for "true" and 0 for "false", in any case; -1 for any other text. */
function booleanValue(text: string): number {
  const n = text.length;
  // The char codes of t, r, u, e and of f, a, l, s, e.
  if (n === 4 && lower(text, 0) === 116 && lower(text, 1) === 114 && lower(text, 2) === 117 && lower(text, 3) === 101) return 1;
  if (n === 5 && lower(text, 0) === 102 && lower(text, 1) === 97 && lower(text, 2) === 108 && lower(text, 3) === 115 && lower(text, 4) === 101) return 0;
  return -1;
}

/**
 * The char code at i with bit 0x20 set, which equals a lowercase letter's code only for that letter
 * in either case: the `i` flag of the regular expressions this replaces folds ASCII letters only.
 */
function lower(text: string, i: number): number {
  return text.charCodeAt(i) | 0x20;
}

/** PostgreSQL column type for each inferred type; a column of only nulls is stored as text. */
export const pgTypes: Record<ColumnType, string> = {
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  string: "text",
  json: "jsonb",
};
