import { z } from "zod";
import { MAX_PAGE_SIZE } from "./common";
import { columnTypeSchema, type ColumnType } from "./jobs";

export const filterOperators = ["eq", "gt", "gte", "lt", "lte", "ne", "contains"] as const;
export type FilterOperator = (typeof filterOperators)[number];
/** `param`: the query parameter the filter came from, for errors to name. */
export type ResultFilter = { column: string; op: FilterOperator; value: string; param?: string };

export const resultsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  sort: z.string().max(300).optional().describe("A column to order by; prefix with - for descending"),
  q: z.string().max(200).optional().describe("Case-insensitive search across text columns"),
  cursor: z
    .string()
    .max(2000)
    .optional()
    .describe("Opaque position carried by a `next` link past the first pages: the page after it is read by seeking, however deep"),
  format: z
    .enum(["json", "csv", "ndjson"])
    .default("json")
    .describe("json: one page in the envelope; csv or ndjson: every matching row, sorted, streamed as a download (page and pageSize are ignored)"),
});
export type ExportFormat = Exclude<z.infer<typeof resultsQuerySchema>["format"], "json">;

/** The scope of a column profile: the same search and filters as the rows. */
export const profileQuerySchema = resultsQuerySchema.pick({ q: true });

export const HISTOGRAM_BUCKETS = 10;

export const columnStatsSchema = z.object({
  name: z.string(),
  type: columnTypeSchema,
  nulls: z.number().int().describe("Rows where the column is null"),
  distinct: z.number().int().describe("Distinct non-null values"),
  min: z.unknown().describe("Smallest value (numbers, dates, timestamps, text); null when every value is null or the type has no order"),
  max: z.unknown(),
  histogram: z
    .array(z.object({ from: z.unknown(), to: z.unknown(), count: z.number().int() }))
    .nullable()
    .describe(`Numbers, dates and timestamps: up to ${HISTOGRAM_BUCKETS} equal-width buckets from min to max (one per value for small integer ranges); the last bucket includes max`),
  top: z
    .array(z.object({ value: z.unknown(), count: z.number().int() }))
    .nullable()
    .describe("Text and booleans: the most frequent values, most frequent first"),
});
export type ColumnStats = z.infer<typeof columnStatsSchema>;

export const resultsProfileSchema = z.object({
  count: z.number().int().describe("Rows profiled: those matching q and the filters"),
  columns: z.array(columnStatsSchema),
});
export type ResultsProfile = z.infer<typeof resultsProfileSchema>;

const FILTER_WITH_OPERATOR = /^filter\[(.+)\]\[([^\]]*)\]$/;
const FILTER_EQUALS = /^filter\[(.+)\]$/;
const isOperator = (op: string): op is FilterOperator => (filterOperators as readonly string[]).includes(op);

/**
 * Reads `filter[col]=v` and `filter[col][op]=v` pairs from a query string. Any other parameter
 * named `filter…` is refused (422, as a ZodError): ignored, it would answer unfiltered rows to a
 * request that meant to narrow them.
 */
export function parseFilters(params: URLSearchParams): ResultFilter[] {
  const filters: ResultFilter[] = [];
  const issues: z.core.$ZodIssue[] = [];
  const refuse = (key: string, message: string) => issues.push({ code: "custom", path: [key], message, input: key });
  for (const [key, value] of params) {
    if (key !== "filter" && !key.startsWith("filter[")) continue;
    const withOperator = FILTER_WITH_OPERATOR.exec(key);
    if (withOperator) {
      const [, column, op] = withOperator as unknown as [string, string, string];
      if (isOperator(op)) filters.push({ column, op, value, param: key });
      else refuse(key, `unknown filter operator "${op}"; use one of ${filterOperators.join(", ")}`);
      continue;
    }
    const equals = FILTER_EQUALS.exec(key);
    if (equals) filters.push({ column: equals[1]!, op: "eq", value, param: key });
    else refuse(key, "a filter is filter[column]=value or filter[column][operator]=value");
  }
  if (issues.length > 0) throw new z.ZodError(issues);
  return filters;
}

// PostgreSQL's own white space (isspace in the C locale), not JavaScript's \s with its no-break spaces.
const SPACE = "[ \\t\\n\\v\\f\\r]*";
const DECIMAL_INTEGER = new RegExp(`^${SPACE}[+-]?\\d+${SPACE}$`);
/** Integers PostgreSQL 16 reads and 15 does not (hexadecimal, octal, binary, digits with underscores): left to it. */
const PG16_INTEGER = new RegExp(`^${SPACE}[+-]?(?:0x_?[\\da-f]+(?:_[\\da-f]+)*|0o_?[0-7]+(?:_[0-7]+)*|0b_?[01]+(?:_[01]+)*|\\d+(?:_\\d+)+)${SPACE}$`, "i");
// PostgreSQL reads floats with the C library's strtod: hexadecimal ones (0x1.8p3) and nan(…) too.
const FLOAT = new RegExp(
  `^${SPACE}(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?|[+-]?0x(?:[\\da-f]+\\.?[\\da-f]*|\\.[\\da-f]+)(?:p[+-]?\\d+)?|[+-]?inf(?:inity)?|[+-]?nan(?:\\([\\da-z_]*\\))?)${SPACE}$`,
  "i",
);
/** What PostgreSQL reads as a boolean: unique prefixes of true, false, yes and no, on, off, 1 and 0. */
const BOOLEAN = new RegExp(`^${SPACE}(?:t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?|y(?:es?)?|no?|on|off?|1|0)${SPACE}$`, "i");
/** A UUID as PostgreSQL reads one: 32 hex digits, a hyphen allowed after any group of four, in braces or not. */
const UUID = /^(?:[\da-f]{4}-?){7}[\da-f]{4}$|^\{(?:[\da-f]{4}-?){7}[\da-f]{4}\}$/i;
const INT8_MAX = 2n ** 63n - 1n;

/**
 * Why a filter value cannot be compared with a column of this type, or undefined when it can, or
 * when only PostgreSQL can tell: dates and timestamps, which it reads in many forms, and integers
 * in the forms only some of its versions read. A value refused here is refused by PostgreSQL too.
 */
export function filterValueProblem(type: ColumnType | "uuid", value: string): string | undefined {
  switch (type) {
    case "integer": {
      if (PG16_INTEGER.test(value)) return undefined;
      if (!DECIMAL_INTEGER.test(value)) return `"${value}" is not an integer`;
      const n = BigInt(value.trim());
      return n > INT8_MAX || n < -INT8_MAX - 1n ? `${value.trim()} is outside the range of a 64-bit integer` : undefined;
    }
    case "number":
      return FLOAT.test(value) ? undefined : `"${value}" is not a number`;
    case "boolean":
      return BOOLEAN.test(value) ? undefined : `"${value}" is not a boolean (true or false)`;
    case "uuid":
      return UUID.test(value) ? undefined : `"${value}" is not a run id (a UUID)`;
    case "json":
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return `"${value}" is not JSON`;
      }
    default:
      return undefined;
  }
}
