import "server-only";
import type { DatasetColumn } from "@/lib/db/schema";
import { quoteIdent } from "@/lib/db/identifiers";
import { pgTypes } from "@/lib/etl/infer-types";
import { isoFromUtcText } from "@/lib/etl/timestamp-text";
import type { ResultFilter } from "@/lib/schemas/results";

/**
 * Which rows of a dataset table a read covers: one run's or all, narrowed by typed filters and a
 * text search. Shared by paged reads, streamed downloads and column profiles, so all three agree.
 */
export type ResultScope = {
  schema: string;
  table: string;
  columns: DatasetColumn[];
  runId?: string;
  filters: ResultFilter[];
  q?: string;
};

// `ne` keeps the rows where the column is empty: asked for what is not 3, a reader counts a blank
// among them, where SQL's <> would drop it as unknown.
const OPERATORS = { eq: "=", ne: "IS DISTINCT FROM", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
export const SYSTEM_COLUMNS: DatasetColumn[] = [
  { name: "_run_id", type: "string" },
  { name: "_row", type: "integer" },
];

export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE clause with every user value bound as a parameter, cast to its column's type.
 * `params` may already hold parameters of the statement the clause goes into.
 */
export function whereClause(scope: ResultScope, params: unknown[] = []) {
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (scope.runId) conditions.push(`_run_id = ${bind(scope.runId)}::uuid`);
  const all = [...SYSTEM_COLUMNS, ...scope.columns];
  for (const filter of scope.filters) {
    const column = all.find((c) => c.name === filter.column)!;
    const ident = quoteIdent(column.name);
    if (filter.op === "contains") {
      conditions.push(`${ident}::text ILIKE ${bind(`%${escapeLike(filter.value)}%`)}`);
    } else {
      const type = column.name === "_run_id" ? "uuid" : pgTypes[column.type];
      // Bound as text and cast by PostgreSQL: bound straight to boolean, postgres.js would serialize
      // any string (even "true") as false; a value that does not parse fails with SQLSTATE 22 (a 422, lib/services/results.ts).
      conditions.push(`${ident} ${OPERATORS[filter.op]} ${bind(filter.value)}::text::${type}`);
    }
  }
  if (scope.q) {
    const textColumns = scope.columns.filter((c) => c.type === "string");
    if (textColumns.length === 0) conditions.push("false");
    else {
      const pattern = bind(`%${escapeLike(scope.q)}%`);
      conditions.push(`(${textColumns.map((c) => `${quoteIdent(c.name)} ILIKE ${pattern}`).join(" OR ")})`);
    }
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

/**
 * A driver value as JSON, by column type: bigints as numbers when exact, Infinity and NaN as text,
 * dates as YYYY-MM-DD, timestamps as ISO 8601 UTC with milliseconds, or microseconds when they hold more.
 */
export function toJsonValue(value: unknown, type: DatasetColumn["type"]): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer": {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case "number": {
      // JSON has no Infinity or NaN (JSON.stringify would write null, as if the value were empty): they go as text.
      const n = Number(value);
      return Number.isFinite(n) ? n : String(n);
    }
    case "date":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    case "timestamp":
      // The driver hands timestamptz over as PostgreSQL prints it (drizzle turns its parsing off).
      return (typeof value === "string" && isoFromUtcText(value)) || (value instanceof Date ? value : new Date(String(value))).toISOString();
    default:
      return value;
  }
}
