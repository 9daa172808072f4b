import { createHash } from "node:crypto";

/**
 * Quotes any string as a PostgreSQL identifier. postgres.js's own `sql(name)` splits on dots,
 * which would turn a flattened column like `customer.name` into a schema-qualified reference.
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

const MAX_IDENTIFIER_BYTES = 63;
/** Columns a results page query adds beside a dataset's own: the sort value of a seek, and whether the expected version held. */
export const RESULT_QUERY_COLUMNS = { seekValue: "__seek_value", current: "__current" } as const;
const RESERVED = new Set(["_run_id", "_row", ...Object.values(RESULT_QUERY_COLUMNS)]);

/**
 * Maps data column names to safe, distinct SQL column names: NUL bytes removed, empty names
 * replaced, names over PostgreSQL's 63-byte limit shortened with a hash (PostgreSQL would
 * otherwise truncate them silently and merge distinct columns), and our own columns kept apart.
 */
export function safeColumnName(name: string, taken: ReadonlySet<string>): string {
  let candidate = name.replace(/\0/g, "");
  if (candidate.trim() === "") candidate = "column";
  if (RESERVED.has(candidate)) candidate = `${candidate}_data`;
  candidate = fitBytes(candidate, name);
  let unique = candidate;
  for (let n = 2; taken.has(unique); n++) unique = fitBytes(`${candidate}_${n}`, `${name}#${n}`);
  return unique;
}

function fitBytes(candidate: string, seed: string): string {
  if (Buffer.byteLength(candidate) <= MAX_IDENTIFIER_BYTES) return candidate;
  const hash = createHash("sha1").update(seed).digest("hex").slice(0, 8);
  let cut = candidate;
  // Cut whole code points: half a surrogate pair is neither valid UTF-8 nor storable in jsonb.
  while (Buffer.byteLength(cut) > MAX_IDENTIFIER_BYTES - 9) cut = cut.slice(0, /[\uDC00-\uDFFF]$/.test(cut) ? -2 : -1);
  return `${cut}_${hash}`;
}

export function datasetTableName(jobId: string): string {
  return `job_${jobId.replace(/-/g, "")}`;
}

/** One staging table per attempt (its fence): an attempt that lost the run can never write into its successor's. */
export function stagingTableName(runId: string, attemptId: string): string {
  return `stg_${runId.replace(/-/g, "")}_${attemptId.replace(/-/g, "").slice(0, 12)}`;
}

/** The run id of a staging table's name, or null for any other table. */
export function stagingRunId(tableName: string): string | null {
  const match = /^stg_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})(_[0-9a-f]{12})?$/.exec(tableName);
  return match ? match.slice(1, 6).join("-") : null;
}
