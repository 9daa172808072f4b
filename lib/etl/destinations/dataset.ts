import "server-only";
import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { ColumnTable } from "arquero";
import type { TransactionSql } from "postgres";
import type { Sql } from "@/lib/db/client";
import { copyIn } from "@/lib/db/copy-stream";
import type { DatasetColumn } from "@/lib/db/schema";
import { datasetTableName, qualified, quoteIdent, safeColumnName, stagingTableName } from "@/lib/db/identifiers";
import { pageIndexes } from "@/lib/db/queries/result-indexes";
import { env } from "@/lib/env";
import { runLog } from "@/lib/logger";
import type { ColumnType, Destination } from "@/lib/schemas/jobs";
import { EtlError } from "@/lib/etl/errors";
import { mergeTypes, pgTypes } from "@/lib/etl/infer-types";
import { batchColumnType, columnValues } from "@/lib/etl/transforms/batch";
import type { RunLogger } from "@/lib/etl/run-log";
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, encodeRows, encodeRowsBinary } from "./copy-encode";
import { dropAbandonedStaging } from "./staging";
import { conflictMessage, describeDrift, describeReplacement, fit, planSchema, type RunColumn } from "./dataset-schema";
import type { DestinationContext, DestinationLoad } from "./types";

type Column = DatasetColumn & { source: string; empty: boolean };
type DatasetDestination = Extract<Destination, { type: "dataset" }>;
type Merge = { rowCount: number; notes: string[] };
/** A COPY into the staging table: the columns and format it was started with, its stream, its end, and the rows sent so far. */
type OpenCopy = { target: string; binary: boolean; stream: Writable; done: Promise<void>; rows: number };

/** Rows per COPY chunk written to the socket; large enough to amortise calls, small enough to stay flat in memory. */
const ROWS_PER_CHUNK = 2000;
/**
 * Rows after which a COPY is ended and the next batch starts another: a COPY is one transaction,
 * and one left open for an hour-long run would hold back vacuum on the whole database that long.
 */
export const ROWS_PER_COPY = 1_000_000;
/** How long the statistics of a dataset just swapped in wait for its table before giving way. */
const ANALYZE_LOCK_TIMEOUT = "500ms";

/**
 * Loads one run's rows into a staging table of the dataset schema, then, on commit and in the
 * same transaction that marks the run successful, puts them in the dataset by the job's mode:
 * `replace` swaps the staging table in; `append` inserts its rows; `upsert` inserts or updates
 * them by key. Until commit no reader sees anything, so a failed, cancelled or retried attempt
 * leaves the dataset exactly as it was, and rows can never be added twice.
 */
export class DatasetLoad implements DestinationLoad {
  private readonly staging: string;
  private readonly columns: Column[] = [];
  private rows = 0;
  private copy: OpenCopy | null = null;
  /** Rows go in binary COPY while every value has an exact binary form (copy-encode.ts), then as text. */
  private binary = true;

  private constructor(
    private readonly sql: Sql,
    private readonly destination: DatasetDestination,
    private readonly context: DestinationContext,
    /** The dataset's columns when the load started (append, upsert): lets a type conflict fail the first batch, not the commit. */
    private readonly existing: ReadonlyMap<string, ColumnType>,
  ) {
    this.staging = qualified(env.DATASET_SCHEMA, stagingTableName(context.runId, context.attemptId));
  }

  /** Starts a load into a staging table of this attempt's own, after dropping those earlier attempts of the run left behind. */
  static async open(sql: Sql, destination: DatasetDestination, context: DestinationContext): Promise<DatasetLoad> {
    const existing = destination.mode === "replace" ? [] : await datasetColumns(sql, context.jobId);
    const load = new DatasetLoad(sql, destination, context, new Map(existing.map((c) => [c.name, c.type])));
    await dropAbandonedStaging(sql, context.runId);
    // Every row of the run has its id: a default spares sending it with each row.
    await sql.unsafe(`CREATE TABLE ${load.staging} (_run_id uuid NOT NULL DEFAULT '${context.runId.replace(/'/g, "''")}'::uuid, _row bigint NOT NULL)`);
    // A staging table that will become the dataset gets its row index now: PostgreSQL fills it
    // during the COPY, on its own core while this thread reads and transforms, instead of
    // building it at commit while the run waits (half a second per million rows).
    if (destination.mode === "replace" || existing.length === 0) await sql.unsafe(load.rowIndexStatement(load.staging));
    return load;
  }

  private get log(): RunLogger {
    return this.context.log;
  }

  get rowsWritten(): number {
    return this.rows;
  }

  get columnTypes(): DatasetColumn[] {
    return this.columns.map(({ name, type }) => ({ name, type }));
  }

  /**
   * Encodes the batch into the open COPY, which stays open from batch to batch while the columns
   * and the format stay the same: PostgreSQL inserts rows (on its own core) while the next batch is read and
   * transformed, and a run pays for one COPY, not one per batch. Waits only when the socket is
   * full. A COPY that failed fails the next write, or the commit.
   */
  async write(batch: ColumnTable): Promise<void> {
    const names = batch.columnNames();
    const arrays = names.map((name) => columnValues(batch, name));
    const columns = await this.reconcile(batch, names, arrays);
    const count = batch.numRows();
    if (count === 0) return;

    const target = columns.map((c) => quoteIdent(c.name)).join(", ");
    const types = columns.map((c) => c.type);
    for (let start = 0; start < count; start += ROWS_PER_CHUNK) {
      const end = Math.min(count, start + ROWS_PER_CHUNK);
      const binary = this.binary ? encodeRowsBinary(arrays, types, start, end, this.rows + start + 1) : null;
      // Once a value needs the text format, the rest of the run goes as text: one switch at most.
      if (!binary) this.binary = false;
      const copy = await this.openCopy(target, binary !== null);
      const chunk = binary ?? encodeRows(arrays, types, start, end, this.rows + start + 1);
      copy.rows += end - start;
      if (!copy.stream.write(chunk)) await Promise.race([once(copy.stream, "drain"), copy.done]);
    }
    this.rows += count;
    if (this.copy && this.copy.rows >= ROWS_PER_COPY) await this.endCopy();
  }

  /** The open COPY if it takes these columns in this format; else a new one, the open one ended first. */
  private async openCopy(target: string, binary: boolean): Promise<OpenCopy> {
    if (this.copy && (this.copy.target !== target || this.copy.binary !== binary)) await this.endCopy();
    if (this.copy) return this.copy;
    const columns = `_row${target ? `, ${target}` : ""}`;
    // Whoever waits on the COPY next sees its failure in `done`.
    const { stream, done } = await copyIn(this.sql, `COPY ${this.staging} (${columns}) FROM STDIN${binary ? " (FORMAT binary)" : ""}`);
    if (binary) stream.write(BINARY_COPY_HEADER);
    this.copy = { target, binary, stream, done, rows: 0 };
    return this.copy;
  }

  /** Ends the open COPY and waits for PostgreSQL to confirm it, throwing its error if it failed. */
  private async endCopy(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = null;
    copy.stream.end(copy.binary ? BINARY_COPY_TRAILER : undefined);
    await copy.done;
  }

  /** ALTER TABLE needs the staging table to itself: the open COPY is ended first. */
  private async alterStaging(change: string): Promise<void> {
    await this.endCopy();
    await this.sql.unsafe(`ALTER TABLE ${this.staging} ${change}`);
  }

  /** Adds new columns and widens changed ones on the staging table, reporting every change. */
  private async reconcile(batch: ColumnTable, names: string[], arrays: ArrayLike<unknown>[]): Promise<Column[]> {
    const result: Column[] = [];
    for (let i = 0; i < names.length; i++) {
      const source = names[i]!;
      const inferred = batchColumnType(batch, source, arrays[i]!);
      let column = this.columns.find((c) => c.source === source);
      if (!column) {
        const taken = new Set(this.columns.map((c) => c.name));
        const name = safeColumnName(source, taken);
        column = { source, name, type: inferred ?? this.existing.get(name) ?? "string", empty: inferred === null };
        this.assertFits(column);
        await this.alterStaging(`ADD COLUMN ${quoteIdent(name)} ${pgTypes[column.type]}`);
        this.columns.push(column);
        if (this.rows > 0) await this.log("warn", `New column "${name}" (${column.type}) appeared after ${this.rows} rows.`);
      } else if (inferred !== null && (inferred !== column.type || column.empty)) {
        const widened = this.widen(column, inferred);
        column.empty = false;
        if (widened !== column.type) {
          const previous = column.type;
          column.type = widened;
          this.assertFits(column);
          await this.alterStaging(
            `ALTER COLUMN ${quoteIdent(column.name)} TYPE ${pgTypes[widened]} USING ${quoteIdent(column.name)}::${pgTypes[widened]}`,
          );
          if (this.rows > 0) await this.log("warn", `Column "${column.name}" widened from ${previous} to ${widened} by later rows.`);
        }
      }
      result.push(column);
    }
    return result;
  }

  private widen(column: Column, inferred: ColumnType): ColumnType {
    // A column holding only nulls so far takes the type of its first real values.
    if (column.empty) return inferred;
    return mergeTypes(column.type, inferred) ?? column.type;
  }

  private assertFits(column: Column): void {
    const dataset = this.existing.get(column.name);
    if (column.empty || !dataset || fit(dataset, column.type) !== "conflict") return;
    throw new EtlError(conflictMessage([{ name: column.name, dataset, run: column.type }]), true);
  }

  /** Puts the staged rows into the dataset by mode and finalizes the run, in one transaction. */
  async commit(finalize: (tx: Sql) => Promise<void>): Promise<void> {
    const tableName = datasetTableName(this.context.jobId);
    await this.alterStaging("ALTER COLUMN _run_id DROP DEFAULT");
    // An upsert's merge joins the staged rows with themselves (prepareUpsert): its plan needs their statistics.
    const analyzed = this.destination.mode === "upsert";
    if (analyzed) await this.sql.unsafe(`ANALYZE ${this.staging}`);
    let notes: string[] = [];
    let swapped = false;
    await this.sql.begin(async (transaction) => {
      const tx = transaction as unknown as Sql;
      await finalize(tx);
      // Two runs of one job finishing together must not interleave their changes.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${this.context.jobId}))`;
      const [previous] = await tx<{ columns: DatasetColumn[]; row_count: string }[]>`
        SELECT columns, row_count FROM datasets WHERE job_id = ${this.context.jobId}`;
      const exists = previous !== undefined && (await tableExists(tx, tableName));
      let merge: Merge;
      if (this.destination.mode === "replace" || !exists) {
        swapped = true;
        merge = await this.swap(tx, tableName, previous?.columns);
      } else if (this.destination.mode === "append") {
        merge = await this.append(tx, tableName, previous.columns, Number(previous.row_count));
      } else {
        merge = await this.upsert(tx, tableName, previous.columns, Number(previous.row_count));
      }
      notes = merge.notes;
    });
    // A table swapped in has no statistics yet; appended and upserted datasets change by parts, which autovacuum's analyze follows.
    if (swapped && !analyzed) this.analyzeLater(qualified(env.DATASET_SCHEMA, tableName));
    for (const note of notes) await this.log(note.startsWith("Schema drift") ? "warn" : "info", note);
  }

  /**
   * Gathers the dataset's statistics, by which results pages are planned, after the run has
   * ended: 0.16 s per million rows that the run need not wait for. It gives way rather than wait
   * for a lock: a manual ANALYZE holds a snapshot while it waits, on which a results page index
   * being built concurrently (lib/db/queries/result-indexes.ts) would wait in turn. When it does not
   * run, autovacuum's analyze gathers the statistics a little later.
   */
  private analyzeLater(table: string): void {
    this.sql
      .begin(async (tx) => {
        await tx.unsafe(`SET LOCAL lock_timeout = '${ANALYZE_LOCK_TIMEOUT}'`);
        await tx.unsafe(`ANALYZE ${table}`);
      })
      .catch((error: unknown) => runLog(this.context.runId).warn({ err: error }, "ANALYZE of the dataset skipped"));
  }

  /** replace, and the first load of any mode: the staging table becomes the dataset. */
  private async swap(tx: Sql, tableName: string, before: DatasetColumn[] | undefined): Promise<Merge> {
    const notes: string[] = [];
    if (this.destination.mode === "upsert") notes.push(...(await this.prepareUpsert(tx, this.staging)));
    await tx.unsafe(`DROP TABLE IF EXISTS ${qualified(env.DATASET_SCHEMA, tableName)}`);
    await tx.unsafe(`ALTER TABLE ${this.staging} RENAME TO ${quoteIdent(tableName)}`);
    const table = qualified(env.DATASET_SCHEMA, tableName);
    await tx.unsafe(this.rowIndexStatement(table));
    let rowCount = this.rows;
    if (this.destination.mode === "upsert" && this.rows > 0) {
      await this.ensureKeyIndex(tx, tableName);
      const [{ n }] = (await tx.unsafe(`SELECT count(*)::bigint AS n FROM ${table}`)) as unknown as [{ n: string }];
      rowCount = Number(n);
    }
    const columns = this.columnTypes;
    await this.saveDataset(tx, tableName, columns, rowCount);
    const drift = before ? describeReplacement(before, columns) : null;
    if (drift && this.destination.mode === "replace") notes.push(drift);
    return { rowCount, notes };
  }

  /**
   * The unique (_run_id, _row) index that results pages seek through. Named after the dataset
   * and this attempt, so it is created once: with the staging table, or at the swap when the
   * dataset appeared meanwhile; the name stays with the table when it is renamed.
   */
  private rowIndexStatement(table: string): string {
    const name = `${datasetTableName(this.context.jobId)}_${shortHash(`${this.context.runId}/${this.context.attemptId}`)}_row`;
    return `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${table} (_run_id, _row)`;
  }

  private async append(tx: Sql, tableName: string, existing: DatasetColumn[], rowCount: number): Promise<Merge> {
    if (this.rows === 0) return this.keep(tx, tableName, existing, rowCount);
    const { columns, notes } = await this.alignDataset(tx, tableName, existing);
    const target = ["_run_id", "_row", ...this.columns.map((c) => quoteIdent(c.name))].join(", ");
    const values = ["_run_id", "_row", ...this.columns.map((c) => this.castTo(c, columns))].join(", ");
    const table = qualified(env.DATASET_SCHEMA, tableName);
    await writeBesidePageIndexes(tx, tableName, notes, (sql) => sql.unsafe(`INSERT INTO ${table} (${target}) SELECT ${values} FROM ${this.staging}`));
    await tx.unsafe(`DROP TABLE ${this.staging}`);
    const total = rowCount + this.rows;
    await this.saveDataset(tx, tableName, columns, total);
    notes.push(`Appended ${this.rows} rows; the dataset now holds ${total}.`);
    return { rowCount: total, notes };
  }

  private async upsert(tx: Sql, tableName: string, existing: DatasetColumn[], rowCount: number): Promise<Merge> {
    if (this.rows === 0) return this.keep(tx, tableName, existing, rowCount);
    const prepared = await this.prepareUpsert(tx, this.staging);
    const { columns, notes } = await this.alignDataset(tx, tableName, existing);
    notes.unshift(...prepared);
    await this.ensureKeyIndex(tx, tableName);
    const key = this.keyColumns().map((c) => quoteIdent(c.name));
    const target = ["_run_id", "_row", ...this.columns.map((c) => quoteIdent(c.name))];
    const values = ["_run_id", "_row", ...this.columns.map((c) => this.castTo(c, columns))].join(", ");
    const updates = target.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
    const table = qualified(env.DATASET_SCHEMA, tableName);
    const [counts] = (await writeBesidePageIndexes(tx, tableName, notes, (sql) =>
      sql.unsafe(`
        WITH written AS (
          INSERT INTO ${table} (${target.join(", ")}) SELECT ${values} FROM ${this.staging}
          ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${updates.join(", ")}
          RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted)::bigint AS inserted, count(*)::bigint AS written FROM written`),
    )) as unknown as [{ inserted: string; written: string }];
    const inserted = Number(counts.inserted);
    const updated = Number(counts.written) - inserted;
    await tx.unsafe(`DROP TABLE ${this.staging}`);
    const total = rowCount + inserted;
    await this.saveDataset(tx, tableName, columns, total);
    notes.push(`Upserted by ${this.keyNames()}: ${inserted} rows inserted, ${updated} updated; the dataset now holds ${total}.`);
    return { rowCount: total, notes };
  }

  /** A run without rows leaves an appended or upserted dataset as it is. */
  private async keep(tx: Sql, tableName: string, existing: DatasetColumn[], rowCount: number): Promise<Merge> {
    await tx.unsafe(`DROP TABLE ${this.staging}`);
    await this.saveDataset(tx, tableName, existing, rowCount);
    return { rowCount, notes: ["The run read no rows; the dataset is unchanged."] };
  }

  /**
   * Checks the key and keeps one staged row per key: the last one read. A file or API that lists
   * a record twice lists its changes in order, so its last version is its current state; and
   * PostgreSQL refuses to update one row twice in a single INSERT … ON CONFLICT anyway.
   */
  private async prepareUpsert(tx: Sql, staging: string): Promise<string[]> {
    const key = this.keyColumns().map((c) => quoteIdent(c.name));
    if (this.rows === 0) return [];
    const [{ n: nulls }] = (await tx.unsafe(
      `SELECT count(*)::bigint AS n FROM ${staging} WHERE ${key.map((k) => `${k} IS NULL`).join(" OR ")}`,
    )) as unknown as [{ n: string }];
    if (Number(nulls) > 0) {
      throw new EtlError(`${nulls} rows have no value for the key (${this.keyNames()}); upsert needs a key in every row. Nothing was loaded.`, true);
    }
    const deleted = await tx.unsafe(`
      DELETE FROM ${staging} s USING ${staging} later
      WHERE ${key.map((k) => `s.${k} = later.${k}`).join(" AND ")} AND later._row > s._row`);
    return deleted.count > 0 ? [`${deleted.count} rows repeated a key read earlier in this run; the last row of each key was kept.`] : [];
  }

  private keyColumns(): Column[] {
    const key = this.destination.key ?? [];
    const missing = key.filter((name) => !this.columns.some((c) => c.source === name));
    if (missing.length > 0) {
      throw new EtlError(
        `The upsert key column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} ${missing.length > 1 ? "are" : "is"} not in this run's data; ` +
          `its columns are ${this.columns.map((c) => `"${c.source}"`).join(", ") || "none"}.`,
        true,
      );
    }
    return key.map((name) => this.columns.find((c) => c.source === name)!);
  }

  private keyNames(): string {
    return (this.destination.key ?? []).join(", ");
  }

  /** A unique index on the key: ON CONFLICT needs it, and it keeps keys unique whatever writes the table. */
  private async ensureKeyIndex(tx: Sql, tableName: string): Promise<void> {
    const key = this.keyColumns().map((c) => c.name);
    const index = quoteIdent(`${tableName}_key_${shortHash(key.join("\u0000"))}`);
    const table = qualified(env.DATASET_SCHEMA, tableName);
    await tx.unsafe("SAVEPOINT key_index");
    try {
      await tx.unsafe(`CREATE UNIQUE INDEX IF NOT EXISTS ${index} ON ${table} (${key.map(quoteIdent).join(", ")})`);
    } catch (error) {
      if ((error as { code?: string }).code !== "23505") throw error;
      throw new EtlError(
        `The dataset already holds several rows with the same ${this.keyNames()} (loaded before the key was set), so it cannot be upserted by that key. ` +
          "Run once in replace mode to rebuild it, or choose a key that is unique.",
        true,
      );
    }
    await tx.unsafe("RELEASE SAVEPOINT key_index");
  }

  /** Adds the run's new columns to the dataset and widens the ones it needs wider; fails on a type conflict. */
  private async alignDataset(tx: Sql, tableName: string, existing: DatasetColumn[]): Promise<{ columns: DatasetColumn[]; notes: string[] }> {
    const incoming: RunColumn[] = this.columns.map(({ name, type, empty }) => ({ name, type, empty }));
    const plan = planSchema(existing, incoming);
    if (plan.conflicts.length > 0) throw new EtlError(conflictMessage(plan.conflicts), true);
    const table = qualified(env.DATASET_SCHEMA, tableName);
    for (const column of plan.added) {
      await tx.unsafe(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(column.name)} ${pgTypes[column.type]}`);
    }
    for (const change of plan.widened) {
      const ident = quoteIdent(change.name);
      await tx.unsafe(`ALTER TABLE ${table} ALTER COLUMN ${ident} TYPE ${pgTypes[change.to]} USING ${ident}::${pgTypes[change.to]}`);
    }
    const drift = describeDrift(plan);
    return { columns: plan.columns, notes: drift ? [drift] : [] };
  }

  /** The staged column as the dataset column's type (a no-op when they already match). */
  private castTo(column: Column, columns: DatasetColumn[]): string {
    const type = columns.find((c) => c.name === column.name)!.type;
    const ident = quoteIdent(column.name);
    return type === column.type ? ident : `${ident}::${pgTypes[type]}`;
  }

  private async saveDataset(tx: Sql, tableName: string, columns: DatasetColumn[], rowCount: number): Promise<void> {
    const { jobId, workspaceId, runId } = this.context;
    await tx`
      INSERT INTO datasets (job_id, workspace_id, table_name, columns, last_run_id, row_count, updated_at)
      VALUES (${jobId}, ${workspaceId}, ${tableName}, ${JSON.stringify(columns)}::jsonb, ${runId}, ${rowCount}, now())
      ON CONFLICT (job_id) DO UPDATE SET
        table_name = excluded.table_name, columns = excluded.columns, last_run_id = excluded.last_run_id,
        row_count = excluded.row_count, updated_at = excluded.updated_at`;
  }

  async abort(): Promise<void> {
    const copy = this.copy;
    this.copy = null;
    // Destroying the stream sends CopyFail: PostgreSQL rolls the COPY back.
    copy?.stream.destroy(new Error("The load was aborted."));
    await copy?.done.catch(() => undefined);
    await this.sql.unsafe(`DROP TABLE IF EXISTS ${this.staging}`);
  }
}

/**
 * Writes rows into an existing dataset table. A btree index cannot hold a value over a third of a
 * page, and the results pages' indexes (lib/db/queries/result-indexes.ts) are built for reading
 * faster, not to refuse data: when one refuses a value, they are dropped and the write is made
 * again. Pages rebuild the indexes they need; a build the value still defeats is skipped.
 */
async function writeBesidePageIndexes(tx: Sql, tableName: string, notes: string[], write: (sql: Sql) => Promise<unknown>): Promise<unknown> {
  try {
    // A savepoint of postgres.js's own: a failed statement in the transaction's scope would fail its commit.
    return await (tx as unknown as TransactionSql).savepoint((savepoint) => write(savepoint as unknown as Sql));
  } catch (error) {
    if ((error as { code?: string }).code !== PROGRAM_LIMIT_EXCEEDED) throw error;
    const table = { schema: env.DATASET_SCHEMA, name: tableName };
    const indexes = (await pageIndexes(tx, table)).map((index) => index.name);
    // "index row size … for index …" names the index; "index row requires … bytes" does not.
    const named = /for index "([^"]+)"/.exec((error as Error).message)?.[1];
    if (indexes.length === 0 || (named && !indexes.includes(named))) throw error;
    for (const index of indexes) await tx.unsafe(`DROP INDEX ${qualified(table.schema, index)}`);
    notes.push("A value was too large for the indexes that speed up results pages; they were dropped, and pages rebuild those they need.");
    return write(tx);
  }
}

/** SQLSTATE of "index row size … exceeds … maximum" and "index row requires … bytes". */
const PROGRAM_LIMIT_EXCEEDED = "54000";

async function datasetColumns(sql: Sql, jobId: string): Promise<DatasetColumn[]> {
  const [row] = await sql<{ columns: DatasetColumn[] }[]>`SELECT columns FROM datasets WHERE job_id = ${jobId}`;
  return row?.columns ?? [];
}

async function tableExists(tx: Sql, tableName: string): Promise<boolean> {
  const [row] = await tx<{ found: boolean }[]>`SELECT to_regclass(${qualified(env.DATASET_SCHEMA, tableName)}) IS NOT NULL AS found`;
  return row?.found ?? false;
}

function shortHash(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 8);
}
