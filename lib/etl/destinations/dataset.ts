import "server-only";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { datasetTableName, qualified, quoteIdent, safeColumnName, stagingTableName } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import type { ColumnType } from "@/lib/schemas/jobs";
import { inferColumnType, mergeTypes, pgTypes } from "@/lib/etl/infer-types";
import type { Batch } from "@/lib/etl/transforms/apply";
import { encodeValue } from "./copy-encode";
import type { DestinationContext, DestinationLoad } from "./types";
import type { RunLogger } from "@/lib/etl/run-log";

type Column = DatasetColumn & { source: string };

/** Rows per COPY chunk written to the socket; large enough to amortise calls, small enough to stay flat in memory. */
const ROWS_PER_CHUNK = 2000;

/**
 * Loads one run's rows into a staging table of the dataset schema and swaps it in atomically on
 * commit (mode `replace`). Until commit nothing a reader can see changes, so a failed, cancelled or
 * retried attempt leaves the previous dataset exactly as it was.
 */
export class DatasetLoad implements DestinationLoad {
  private readonly staging: string;
  private readonly columns: Column[] = [];
  private rows = 0;

  private constructor(
    private readonly sql: Sql,
    private readonly jobId: string,
    private readonly workspaceId: string,
    private readonly runId: string,
    private readonly log: RunLogger,
  ) {
    this.staging = qualified(env.DATASET_SCHEMA, stagingTableName(runId));
  }

  /** Starts a load; a previous attempt's leftover staging table is dropped first. */
  static async open(sql: Sql, params: DestinationContext): Promise<DatasetLoad> {
    const load = new DatasetLoad(sql, params.jobId, params.workspaceId, params.runId, params.log);
    await sql.unsafe(`DROP TABLE IF EXISTS ${load.staging}`);
    await sql.unsafe(`CREATE TABLE ${load.staging} (_run_id uuid NOT NULL, _row bigint NOT NULL)`);
    return load;
  }

  get rowsWritten(): number {
    return this.rows;
  }

  get columnTypes(): DatasetColumn[] {
    return this.columns.map(({ name, type }) => ({ name, type }));
  }

  async write(batch: Batch): Promise<void> {
    const names = batch.columnNames();
    const arrays = names.map((name) => batch.array(name) as ArrayLike<unknown>);
    const columns = await this.reconcile(names, arrays);
    const count = batch.numRows();
    if (count === 0) return;

    const target = columns.map((c) => quoteIdent(c.name)).join(", ");
    const copy = await this.sql
      .unsafe(`COPY ${this.staging} (_run_id, _row${target ? `, ${target}` : ""}) FROM STDIN`)
      .writable();
    const runId = this.runId;
    const first = this.rows;
    const types = columns.map((c) => c.type);
    function* chunks() {
      for (let start = 0; start < count; start += ROWS_PER_CHUNK) {
        const end = Math.min(count, start + ROWS_PER_CHUNK);
        let text = "";
        for (let row = start; row < end; row++) {
          text += `${runId}\t${first + row + 1}`;
          for (let c = 0; c < arrays.length; c++) text += `\t${encodeValue(arrays[c]![row], types[c]!)}`;
          text += "\n";
        }
        yield text;
      }
    }
    await pipeline(Readable.from(chunks()), copy as Writable);
    this.rows += count;
  }

  /** Adds new columns and widens changed ones on the staging table, reporting every change. */
  private async reconcile(names: string[], arrays: ArrayLike<unknown>[]): Promise<Column[]> {
    const result: Column[] = [];
    for (let i = 0; i < names.length; i++) {
      const source = names[i]!;
      const inferred = inferColumnType(arrays[i]!);
      let column = this.columns.find((c) => c.source === source);
      if (!column) {
        const taken = new Set(this.columns.map((c) => c.name));
        const name = safeColumnName(source, taken);
        column = { source, name, type: inferred ?? "string" };
        await this.sql.unsafe(`ALTER TABLE ${this.staging} ADD COLUMN ${quoteIdent(name)} ${pgTypes[column.type]}`);
        this.columns.push(column);
        if (this.rows > 0) await this.log("warn", `New column "${name}" (${column.type}) appeared after ${this.rows} rows.`);
      } else if (inferred !== null && inferred !== column.type) {
        const widened = this.widen(column, inferred);
        if (widened !== column.type) {
          await this.sql.unsafe(
            `ALTER TABLE ${this.staging} ALTER COLUMN ${quoteIdent(column.name)} TYPE ${pgTypes[widened]} USING ${quoteIdent(column.name)}::${pgTypes[widened]}`,
          );
          await this.log("warn", `Column "${column.name}" widened from ${column.type} to ${widened} by later rows.`);
          column.type = widened;
        }
      }
      result.push(column);
    }
    return result;
  }

  private widen(column: Column, inferred: ColumnType): ColumnType {
    // A column created from only nulls is text; once real values arrive, retype it while it holds no data.
    if (this.rows === 0) return inferred;
    return mergeTypes(column.type, inferred) ?? column.type;
  }

  /** Indexes the staging table, then swaps it in as the dataset and finalizes the run in one transaction. */
  async commit(finalize: (tx: Sql) => Promise<void>): Promise<void> {
    const tableName = datasetTableName(this.jobId);
    const indexName = quoteIdent(`${stagingTableName(this.runId)}_row_key`);
    await this.sql.unsafe(`CREATE UNIQUE INDEX ${indexName} ON ${this.staging} (_run_id, _row)`);
    await this.sql.unsafe(`ANALYZE ${this.staging}`);

    await this.sql.begin(async (transaction) => {
      const tx = transaction as unknown as Sql;
      await finalize(tx);
      // Two runs of one job finishing together must not interleave their swaps.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${this.jobId}))`;
      await this.swap(tx, tableName);
    });
  }

  private async swap(tx: Sql, tableName: string): Promise<void> {
    await tx.unsafe(`DROP TABLE IF EXISTS ${qualified(env.DATASET_SCHEMA, tableName)}`);
    await tx.unsafe(`ALTER TABLE ${this.staging} RENAME TO ${quoteIdent(tableName)}`);
    const columns = this.columnTypes;
    await tx`
      INSERT INTO datasets (job_id, workspace_id, table_name, columns, last_run_id, row_count, updated_at)
      VALUES (${this.jobId}, ${this.workspaceId}, ${tableName}, ${JSON.stringify(columns)}::jsonb, ${this.runId}, ${this.rows}, now())
      ON CONFLICT (job_id) DO UPDATE SET
        table_name = excluded.table_name, columns = excluded.columns, last_run_id = excluded.last_run_id,
        row_count = excluded.row_count, updated_at = excluded.updated_at`;
  }

  async abort(): Promise<void> {
    await this.sql.unsafe(`DROP TABLE IF EXISTS ${this.staging}`);
  }
}
