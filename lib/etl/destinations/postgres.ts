import "server-only";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql } from "@/lib/db/client";
import { connectionForRun } from "@/lib/connections/resolve";
import { driverError } from "@/lib/connections/driver-error";
import { openPostgres, type ExternalSql } from "@/lib/connections/postgres";
import { qualified, quoteIdent, safeColumnName } from "@/lib/db/identifiers";
import { EtlError } from "@/lib/etl/errors";
import { pgTypes } from "@/lib/etl/infer-types";
import type { Batch } from "@/lib/etl/transforms/apply";
import type { PostgresDestination } from "@/lib/schemas/table-destination";
import { encodeValue } from "./copy-encode";
import { utcWallClock } from "./utc-wall-clock";
import { commitBoth, describeKey } from "./table-commit";
import { TablePlan, type ExistingColumn, type PlannedColumn } from "./table-plan";
import type { DestinationContext, DestinationLoad } from "./types";

/** The run's staging table: temporary, so it lives on this load's connection only and vanishes with it, even after a crash. */
const STAGING = "pg_temp.dfh_stage";
const ROWS_PER_CHUNK = 2000;

type Target = { schema: string; table: string; oid: number | null };

/**
 * Loads a run's rows into a table of an external PostgreSQL database. Rows are COPYed into a
 * temporary staging table as they come; on commit one transaction on the target creates or
 * extends the table and moves the rows in by mode, and it commits right after the app's database
 * has marked the run successful (inside that transaction, so a cancel cannot slip in between).
 * Should the app's commit still fail, the retry repeats the load idempotently: replace and upsert
 * by nature, append by first deleting the rows tagged with this run's id.
 */
export class PostgresTableLoad implements DestinationLoad {
  private rows = 0;

  private constructor(
    private readonly sql: ExternalSql,
    private readonly app: Sql,
    private readonly destination: PostgresDestination,
    private readonly context: DestinationContext,
    private readonly target: Target,
    private readonly plan: TablePlan,
    private readonly fail: (error: unknown) => EtlError,
  ) {}

  static async open(app: Sql, destination: PostgresDestination, context: DestinationContext): Promise<PostgresTableLoad> {
    const connection = await connectionForRun(context.workspaceId, destination.connectionId, "postgres");
    const sql = openPostgres(connection);
    const fail = (error: unknown) => driverError(error, "PostgreSQL", connection.secret);
    try {
      const schema = destination.schema ?? "public";
      const oid = await tableOid(sql, schema, destination.table);
      const existing = oid === null ? null : await tableColumns(sql, oid);
      if (oid !== null && destination.mode === "upsert") await assertUniqueKey(sql, oid, destination.key!, `${schema}.${destination.table}`);
      await sql.unsafe(`CREATE TEMP TABLE dfh_stage (_row bigint NOT NULL)`);
      await context.log(
        "info",
        `Loading into PostgreSQL table ${schema}.${destination.table} (${destination.mode}) in "${connection.database}" on ${connection.host}:${connection.port}` +
          (oid === null ? "; it does not exist yet and will be created." : "."),
      );
      const target = { schema, table: destination.table, oid };
      return new PostgresTableLoad(sql, app, destination, context, target, new TablePlan(existing, destination.key), fail);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw fail(error);
    }
  }

  get rowsWritten(): number {
    return this.rows;
  }

  get columnTypes() {
    return this.plan.columnTypes;
  }

  async write(batch: Batch): Promise<void> {
    const { columns, added, arrays } = this.plan.map(batch);
    try {
      for (const column of added) {
        // A new column is staged as text and cast once its type over the whole run is known.
        await this.sql.unsafe(`ALTER TABLE ${STAGING} ADD COLUMN ${quoteIdent(column.name)} ${column.existing?.sqlType ?? "text"}`);
      }
      const count = batch.numRows();
      if (count === 0) return;
      const names = columns.map((c) => quoteIdent(c.name)).join(", ");
      const copy = await this.sql.unsafe(`COPY ${STAGING} (_row${names ? `, ${names}` : ""}) FROM STDIN`).writable();
      const encoders = columns.map((c) => (c.existing?.kind === "json" ? encodeJson : c.existing?.kind === "datetime" ? encodeWallClock : encodeText));
      const first = this.rows;
      function* chunks() {
        for (let start = 0; start < count; start += ROWS_PER_CHUNK) {
          const end = Math.min(count, start + ROWS_PER_CHUNK);
          let text = "";
          for (let row = start; row < end; row++) {
            text += String(first + row + 1);
            for (let c = 0; c < arrays.length; c++) text += `\t${encoders[c]!(arrays[c]![row])}`;
            text += "\n";
          }
          yield text;
        }
      }
      await pipeline(Readable.from(chunks()), copy as Writable);
      this.rows += count;
    } catch (error) {
      throw this.fail(error);
    }
  }

  async commit(finalize: (tx: Sql) => Promise<void>): Promise<void> {
    const table = qualified(this.target.schema, this.target.table);
    const display = `${this.target.schema}.${this.target.table}`;
    const { statements, notes } = postgresCommitPlan({
      table,
      display,
      plan: this.plan,
      mode: this.destination.mode,
      rows: this.rows,
    });
    try {
      const outcome = await commitBoth({
        begin: () => this.sql.unsafe("BEGIN"),
        run: async () => {
          let summary: string[] = [];
          for (const statement of statements) {
            const result = await this.sql.unsafe(statement.text, statement.withRunId ? [this.context.runId] : []);
            if (statement.summarize) summary = statement.summarize(result as unknown as Record<string, string>[]);
          }
          return summary;
        },
        commit: () => this.sql.unsafe("COMMIT"),
        rollback: () => this.sql.unsafe("ROLLBACK"),
        app: this.app,
        finalize,
        fail: this.fail,
      });
      for (const note of notes) await this.context.log(note.level, note.message);
      for (const line of outcome) await this.context.log("info", line);
    } finally {
      await this.sql.end({ timeout: 1 });
    }
  }

  async abort(): Promise<void> {
    // Ending the connection rolls back whatever was open and drops the temporary staging table.
    await this.sql.end({ timeout: 1 });
  }
}

type Statement = { text: string; withRunId?: boolean; summarize?: (rows: Record<string, string>[]) => string[] };
type Note = { level: "info" | "warn"; message: string };

/** The statements of the target's commit transaction, in order, and what to tell the user about them. */
export function postgresCommitPlan(params: {
  table: string;
  display: string;
  plan: TablePlan;
  mode: PostgresDestination["mode"];
  rows: number;
}): { statements: Statement[]; notes: Note[] } {
  const { table, display, plan, mode, rows } = params;
  const statements: Statement[] = [];
  const notes: Note[] = [];
  const hasRunId = !plan.tableExists || plan.existing!.has("_run_id") || mode === "append";

  if (!plan.tableExists) {
    if (plan.columns.length === 0) {
      notes.push({ level: "warn", message: `The run produced no columns, so table ${display} was not created.` });
      return { statements, notes };
    }
    const columns = plan.columns.map((c) => `${quoteIdent(c.name)} ${pgTypes[c.type ?? "string"]}`);
    const key = mode === "upsert" ? [`PRIMARY KEY (${plan.keyColumns.map((c) => quoteIdent(c.name)).join(", ")})`] : [];
    statements.push({ text: `CREATE TABLE ${table} (${[...columns, "_run_id uuid", ...key].join(", ")})` });
    if (mode === "append") statements.push({ text: `CREATE INDEX ON ${table} (_run_id)` });
    notes.push({ level: "info", message: `Created table ${display} with ${plan.columns.length} columns.` });
  } else {
    for (const column of plan.newColumns) {
      statements.push({ text: `ALTER TABLE ${table} ADD COLUMN ${quoteIdent(column.name)} ${pgTypes[column.type ?? "string"]}` });
      notes.push({ level: "warn", message: `Schema drift: added column "${column.name}" (${column.type ?? "string"}) to table ${display}.` });
    }
    if (mode === "append" && !plan.existing!.has("_run_id")) {
      statements.push({ text: `ALTER TABLE ${table} ADD COLUMN _run_id uuid` });
      notes.push({ level: "warn", message: `Added column "_run_id" to table ${display}: it tags appended rows so that a retried run never adds them twice.` });
    }
  }

  const targets = [...plan.columns.map((c) => quoteIdent(c.name)), ...(hasRunId ? ["_run_id"] : [])].join(", ");
  const values = [...plan.columns.map((c) => stagedValue(c)), ...(hasRunId ? ["$1::uuid"] : [])].join(", ");
  switch (mode) {
    case "replace":
      statements.push({ text: `TRUNCATE ${table}` });
      if (rows > 0) statements.push({ text: `INSERT INTO ${table} (${targets}) SELECT ${values} FROM ${STAGING} s ORDER BY s._row`, withRunId: hasRunId });
      notes.push({ level: "info", message: `Replaced the rows of table ${display} with this run's ${rows}.` });
      break;
    case "append":
      statements.push({ text: `DELETE FROM ${table} WHERE _run_id = $1::uuid`, withRunId: true });
      if (rows > 0) statements.push({ text: `INSERT INTO ${table} (${targets}) SELECT ${values} FROM ${STAGING} s ORDER BY s._row`, withRunId: true });
      notes.push({ level: "info", message: `Appended ${rows} rows to table ${display}.` });
      break;
    case "upsert": {
      if (rows === 0) break;
      const key = plan.keyColumns.map((c) => quoteIdent(c.name));
      // Keys compare as the target's values, not as staged text: "01:00+01:00" is the same timestamp
      // as "00:00Z", and {"b":2,"a":1} the same jsonb as {"a":1,"b":2}; the unique index sees them so.
      const stagedKey = plan.keyColumns.map((c) => stagedValue(c)).join(", ");
      const updates = [...plan.columns.filter((c) => !plan.keyColumns.includes(c)).map((c) => quoteIdent(c.name)), ...(hasRunId ? ["_run_id"] : [])];
      const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(", ")}` : "DO NOTHING";
      statements.push({
        // One row per key, the last read: PostgreSQL refuses to update a row twice in one statement.
        // `latest` is counted apart from `written`, which lacks the keys DO NOTHING passed over.
        text: `
          WITH latest (${targets}) AS (
            SELECT DISTINCT ON (${stagedKey}) ${values} FROM ${STAGING} s ORDER BY ${stagedKey}, s._row DESC
          ), written AS (
            INSERT INTO ${table} (${targets}) SELECT ${targets} FROM latest
            ON CONFLICT (${key.join(", ")}) ${onConflict}
            RETURNING (xmax = 0) AS inserted
          )
          SELECT (SELECT count(*) FROM latest)::bigint AS keys,
            count(*) FILTER (WHERE inserted)::bigint AS inserted, count(*) FILTER (WHERE NOT inserted)::bigint AS updated FROM written`,
        withRunId: hasRunId,
        summarize: ([counts]) => {
          const repeated = rows - Number(counts!.keys);
          return [
            ...(repeated > 0 ? [`${repeated} rows repeated a key read earlier in this run; the last row of each key was kept.`] : []),
            `Upserted into table ${display} by ${describeKey(plan)}: ${counts!.inserted} rows inserted, ${counts!.updated} updated.`,
          ];
        },
      });
      break;
    }
  }
  return { statements, notes };
}

/** A staged column as the target needs it: new columns were staged as text and take their inferred type now. */
function stagedValue(column: PlannedColumn): string {
  const name = `s.${quoteIdent(column.name)}`;
  if (column.existing || column.type === null || column.type === "string") return name;
  return `${name}::${pgTypes[column.type]}`;
}

const encodeJson = (value: unknown) => encodeValue(value, "json");
const encodeText = (value: unknown) => (value instanceof Date ? value.toISOString() : encodeValue(value, "string"));
const encodeWallClock = (value: unknown) => (typeof value === "string" || value instanceof Date ? encodeText(utcWallClock(value)) : encodeText(value));

async function tableOid(sql: ExternalSql, schema: string, table: string): Promise<number | null> {
  const [row] = await sql<{ oid: number; relkind: string }[]>`
    SELECT c.oid::int AS oid, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relname = ${table}`;
  if (!row) return null;
  if (row.relkind !== "r" && row.relkind !== "p") throw new EtlError(`${schema}.${table} is not a table (it is a view or another kind of relation).`, true);
  return row.oid;
}

async function tableColumns(sql: ExternalSql, oid: number): Promise<Map<string, ExistingColumn>> {
  const rows = await sql<{ name: string; sql_type: string; typname: string }[]>`
    SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS sql_type, t.typname
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = ${oid} AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum`;
  return new Map(
    rows.map((r) => {
      const kind = r.typname === "json" || r.typname === "jsonb" ? "json" : r.typname === "timestamp" ? "datetime" : "other";
      return [r.name, { name: r.name, sqlType: r.sql_type, kind }];
    }),
  );
}

/** Upsert matches rows with ON CONFLICT, which needs a unique index on exactly the key's columns. */
async function assertUniqueKey(sql: ExternalSql, oid: number, key: readonly string[], display: string): Promise<void> {
  const indexes = await sql<{ columns: string[] }[]>`
    SELECT array_agg(a.attname::text) AS columns
    FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indrelid = ${oid} AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
    GROUP BY i.indexrelid`;
  const wanted = key.map((name) => safeColumnName(name, new Set())).sort();
  const match = indexes.some((index) => index.columns.length === wanted.length && [...index.columns].sort().every((c, i) => c === wanted[i]));
  if (!match) {
    throw new EtlError(
      `Table ${display} has no primary key or unique index on (${wanted.join(", ")}); upsert needs one to match rows. Add it, or choose append or replace.`,
      true,
    );
  }
}
