import "server-only";
import { z } from "zod";
import { quoteIdent, RESULT_QUERY_COLUMNS } from "@/lib/db/identifiers";
import { pgTypes } from "@/lib/etl/infer-types";
import type { DatasetColumn } from "@/lib/db/schema";

/**
 * Keyset ("seek") paging over dataset rows. Rows are ordered by the sort column, nulls last, then
 * by (_run_id, _row), which is unique — every key in one direction, so that one btree index
 * (lib/db/queries/result-indexes.ts) serves the order and a row comparison finds where the next
 * page starts without reading the rows before it. Non-null and null sort values are read as two
 * ranges of that index, because a row comparison is never true for a null.
 */
export type ResultSort = { column: string; desc: boolean };

/** Where a page ended: the last row's sort value (as PostgreSQL text, null for a null) and row identity. */
export type SeekKey = { value: string | null; runId: string; row: string };

export const SEEK_VALUE = RESULT_QUERY_COLUMNS.seekValue;

/** The ORDER BY keys, also the index's keys: the sort column, then the row identity, all in the sort's direction. */
export function orderKeys(sort: ResultSort | undefined): string {
  if (!sort) return "_run_id, _row";
  const dir = sort.desc ? "DESC" : "ASC";
  return `${quoteIdent(sort.column)} ${dir} NULLS LAST, _run_id ${dir}, _row ${dir}`;
}

/** The sort column's SQL type, for binding a seek value back to it. */
export function sortType(sort: ResultSort, columns: DatasetColumn[]): string {
  if (sort.column === "_run_id") return "uuid";
  if (sort.column === "_row") return "bigint";
  return pgTypes[columns.find((c) => c.name === sort.column)?.type ?? "string"];
}

/**
 * The conditions of the `index`th range a page after `key` reads (null: no more ranges): rows
 * still in the non-null part of the order (when the key is in it), then the nulls after the key.
 */
export function seekRange(
  sort: ResultSort | undefined,
  type: string,
  key: SeekKey,
  index: number,
  bind: (value: unknown) => string,
): string[] | null {
  const op = sort?.desc ? "<" : ">";
  const identity = () => `(_run_id, _row) ${op} (${bind(key.runId)}::uuid, ${bind(key.row)}::bigint)`;
  if (!sort) return index === 0 ? [identity()] : null;
  const column = quoteIdent(sort.column);
  if (key.value === null) return index === 0 ? [`${column} IS NULL`, identity()] : null;
  if (index === 0) {
    return [`${column} IS NOT NULL`, `(${column}, _run_id, _row) ${op} (${bind(key.value)}::text::${type}, ${bind(key.runId)}::uuid, ${bind(key.row)}::bigint)`];
  }
  return index === 1 ? [`${column} IS NULL`] : null;
}

const cursorSchema = z.object({
  v: z.string().nullable(),
  r: z.uuid(),
  n: z.string().regex(/^\d+$/),
  /** The count of the first page, carried along so that deeper pages do not count again. */
  c: z.number().int().min(0),
  e: z.boolean(),
  /** The sort the cursor was made for: a cursor is only valid with the same sort. */
  s: z.string(),
});

export type ResultCursor = { key: SeekKey; count: number; exact: boolean };

const sortLabel = (sort: ResultSort | undefined) => (sort ? `${sort.desc ? "-" : ""}${sort.column}` : "");

/** An opaque `cursor` parameter: base64url JSON of the key, the count and the sort. */
export function encodeCursor(cursor: ResultCursor, sort: ResultSort | undefined): string {
  const { key, count, exact } = cursor;
  return Buffer.from(JSON.stringify({ v: key.value, r: key.runId, n: key.row, c: count, e: exact, s: sortLabel(sort) })).toString("base64url");
}

/** The cursor, or null when the text is not one this server made for this sort. */
export function decodeCursor(text: string, sort: ResultSort | undefined): ResultCursor | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || result.data.s !== sortLabel(sort)) return null;
  const { v, r, n, c, e } = result.data;
  return { key: { value: v, runId: r, row: n }, count: c, exact: e };
}
