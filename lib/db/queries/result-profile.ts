import "server-only";
import type { Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { qualified, quoteIdent } from "@/lib/db/identifiers";
import { HISTOGRAM_BUCKETS, type ColumnStats, type ResultsProfile } from "@/lib/schemas/results";
import { toJsonValue, whereClause, type ResultScope } from "./result-scope";

const ORDERED = new Set<DatasetColumn["type"]>(["integer", "number", "date", "timestamp", "string"]);
const BINNED = new Set<DatasetColumn["type"]>(["integer", "number", "date", "timestamp"]);
const TOP_VALUES = 5;

/**
 * Profiles every column of the rows in scope, in SQL: one pass for the row count and each
 * column's nulls, distinct values, min and max; then per numeric or temporal column a histogram
 * (width_bucket over min..max) and per text or boolean column its most frequent values.
 */
export async function profileResults(sql: Sql, scope: ResultScope): Promise<ResultsProfile> {
  const table = qualified(scope.schema, scope.table);
  const where = whereClause(scope);
  const aggregates = scope.columns.flatMap((column, i) => {
    const ident = quoteIdent(column.name);
    const ordered = ORDERED.has(column.type);
    return [
      `count(${ident}) AS c${i}`,
      `count(DISTINCT ${ident}) AS d${i}`,
      `${ordered ? `min(${ident})` : "NULL"} AS lo${i}`,
      `${ordered ? `max(${ident})` : "NULL"} AS hi${i}`,
    ];
  });
  const [summary] = await sql.unsafe(`SELECT ${["count(*) AS n", ...aggregates].join(", ")} FROM ${table} ${where.sql}`, where.params as never[]);
  const count = Number(summary?.n ?? 0);

  const columns = await Promise.all(
    scope.columns.map(async (column, i): Promise<ColumnStats> => {
      const nonNull = Number(summary?.[`c${i}`] ?? 0);
      const min = summary?.[`lo${i}`] ?? null;
      const max = summary?.[`hi${i}`] ?? null;
      const stats: ColumnStats = {
        name: column.name,
        type: column.type,
        nulls: count - nonNull,
        distinct: Number(summary?.[`d${i}`] ?? 0),
        min: toJsonValue(min, column.type),
        max: toJsonValue(max, column.type),
        histogram: null,
        top: null,
      };
      if (nonNull === 0) return stats;
      if (BINNED.has(column.type)) stats.histogram = await histogram(sql, scope, column, min, max, nonNull);
      else if (column.type === "string" || column.type === "boolean") stats.top = await topValues(sql, scope, column);
      return stats;
    }),
  );
  return { count, columns };
}

/** Temporal values are binned by their epoch seconds (the driver gives dates as text); bucket bounds go back to dates or timestamps. */
function asNumber(value: unknown, type: DatasetColumn["type"]): number {
  if (value instanceof Date) return value.getTime() / 1000;
  if (type === "date" || type === "timestamp") return Date.parse(String(value)) / 1000;
  return Number(value);
}

function fromNumber(n: number, type: DatasetColumn["type"]): unknown {
  if (type === "date" || type === "timestamp") return toJsonValue(new Date(n * 1000), type);
  // Bucket edges are sums of binary fractions: 12 significant digits drop the noise (106.59, not 106.58999999999999).
  return Number(n.toPrecision(12));
}

/**
 * Bucket bounds for min..max: one bucket per value for an integer range of at most
 * HISTOGRAM_BUCKETS values, otherwise HISTOGRAM_BUCKETS equal widths whose last bucket also
 * holds max. `edges` are what width_bucket is given; `bounds` are what a reader sees (integer
 * buckets name the whole numbers they hold). Exported for unit tests.
 */
export function bucketLayout(lo: number, hi: number, type: DatasetColumn["type"]) {
  if (type === "integer" && hi - lo + 1 <= HISTOGRAM_BUCKETS) {
    const buckets = hi - lo + 1;
    return { edges: { lo, hi: hi + 1, buckets }, bounds: Array.from({ length: buckets }, (_, i) => ({ from: lo + i, to: lo + i })) };
  }
  const width = (hi - lo) / HISTOGRAM_BUCKETS;
  const edge = (i: number) => lo + i * width;
  const bounds = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => {
    const last = i === HISTOGRAM_BUCKETS - 1;
    // Bucket i holds edge(i) <= x < edge(i + 1): for integers, ceil(edge(i)) .. ceil(edge(i + 1)) - 1.
    if (type === "integer") return { from: Math.ceil(edge(i)), to: last ? hi : Math.ceil(edge(i + 1)) - 1 };
    return { from: edge(i), to: last ? hi : edge(i + 1) };
  });
  return { edges: { lo, hi, buckets: HISTOGRAM_BUCKETS }, bounds };
}

async function histogram(sql: Sql, scope: ResultScope, column: DatasetColumn, min: unknown, max: unknown, nonNull: number) {
  const lo = asNumber(min, column.type);
  const hi = asNumber(max, column.type);
  // NaN or infinite bounds cannot be bucketed (width_bucket refuses them).
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  if (lo === hi) return [{ from: toJsonValue(min, column.type), to: toJsonValue(max, column.type), count: nonNull }];
  const { edges, bounds } = bucketLayout(lo, hi, column.type);
  const ident = quoteIdent(column.name);
  const value = column.type === "date" || column.type === "timestamp" ? `extract(epoch FROM ${ident})::float8` : `${ident}::float8`;
  const where = whereClause(scope, [edges.lo, edges.hi, edges.buckets]);
  const rows = await sql.unsafe(
    `SELECT LEAST(width_bucket(${value}, $1::float8, $2::float8, $3::int), $3::int) AS b, count(*)::bigint AS n
     FROM ${qualified(scope.schema, scope.table)} ${where.sql ? `${where.sql} AND` : "WHERE"} ${ident} IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
    where.params as never[],
  );
  const counts = new Map(rows.map((row) => [Number(row.b), Number(row.n)]));
  // A timestamp's bounds went through milliseconds (Date): the outer ones are min and max as answered, microseconds and all.
  const exactEnds = column.type === "timestamp";
  return bounds.map((bound, i) => ({
    from: exactEnds && i === 0 ? toJsonValue(min, column.type) : fromNumber(bound.from, column.type),
    to: exactEnds && i === bounds.length - 1 ? toJsonValue(max, column.type) : fromNumber(bound.to, column.type),
    count: counts.get(i + 1) ?? 0,
  }));
}

async function topValues(sql: Sql, scope: ResultScope, column: DatasetColumn): Promise<ColumnStats["top"]> {
  const ident = quoteIdent(column.name);
  const where = whereClause(scope);
  const rows = await sql.unsafe(
    `SELECT ${ident} AS v, count(*)::bigint AS n FROM ${qualified(scope.schema, scope.table)}
     ${where.sql ? `${where.sql} AND` : "WHERE"} ${ident} IS NOT NULL
     GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`,
    where.params as never[],
  );
  return rows.map((row) => ({ value: row.v, count: Number(row.n) }));
}
