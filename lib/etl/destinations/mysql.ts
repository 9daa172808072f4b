import "server-only";
import type { Connection } from "mysql2/promise";
import type { Sql } from "@/lib/db/client";
import { connectionForRun } from "@/lib/connections/resolve";
import { driverError } from "@/lib/connections/driver-error";
import { closeMysql, connectMysql } from "@/lib/connections/mysql";
import { safeColumnName } from "@/lib/db/identifiers";
import { EtlError } from "@/lib/etl/errors";
import { mysqlIdent } from "@/lib/etl/sources/mysql";
import type { Batch } from "@/lib/etl/transforms/apply";
import type { ColumnType } from "@/lib/schemas/jobs";
import type { MysqlDestination } from "@/lib/schemas/table-destination";
import { mysqlLiteral } from "./mysql-values";
import { utcWallClock } from "./utc-wall-clock";
import { commitBoth, describeKey } from "./table-commit";
import { TablePlan, type ExistingColumn, type PlannedColumn } from "./table-plan";
import type { DestinationContext, DestinationLoad } from "./types";

/** Temporary, like the PostgreSQL load's: it lives and dies with this load's connection. */
const STAGING = "dfh_stage";
// Multi-row INSERTs stay well under max_allowed_packet (16 MiB by default on MariaDB, 64 MiB on MySQL).
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const MAX_ROWS_PER_STATEMENT = 5000;

const mysqlTypes: Record<ColumnType, string> = {
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "DATETIME(6)",
  string: "LONGTEXT",
  json: "JSON",
};

/**
 * Loads a run's rows into a table of an external MySQL or MariaDB database: batched multi-row
 * INSERTs into a temporary staging table, then on commit the table's rows are replaced, appended
 * or upserted in one transaction that commits together with the run's success (see
 * ./table-commit.ts). MySQL commits DDL at once, so creating the table or adding columns happens
 * just before that transaction: a run failing at its very end can leave a new empty table or
 * column, never rows.
 */
export class MysqlTableLoad implements DestinationLoad {
  private rows = 0;

  private constructor(
    private readonly db: Connection,
    private readonly close: () => Promise<void>,
    private readonly app: Sql,
    private readonly destination: MysqlDestination,
    private readonly context: DestinationContext,
    /** `keyCollation`: the collation of key columns this load creates (exactCollation). */
    private readonly table: { database: string; name: string; keyCollation: string },
    private readonly plan: TablePlan,
    private readonly fail: (error: unknown) => EtlError,
  ) {}

  static async open(app: Sql, destination: MysqlDestination, context: DestinationContext): Promise<MysqlTableLoad> {
    const connection = await connectionForRun(context.workspaceId, destination.connectionId, "mysql");
    const fail = (error: unknown) => driverError(error, "MySQL", connection.secret);
    const conn = await connectMysql(connection).catch((error) => Promise.reject(fail(error)));
    const db = conn.promise();
    const database = destination.schema ?? connection.database;
    try {
      await db.query("SET SESSION time_zone = '+00:00'");
      const existing = await tableColumns(db, database, destination.table);
      if (existing && destination.mode === "upsert") await assertUniqueKey(db, database, destination.table, destination.key!);
      const keyCollation = await exactCollation(db);
      // Text columns the table does not have yet are staged under the collation this load creates their keys with.
      await db.query(`CREATE TEMPORARY TABLE ${STAGING} (_row BIGINT NOT NULL) CHARACTER SET utf8mb4 COLLATE ${keyCollation}`);
      await context.log(
        "info",
        `Loading into MySQL table ${database}.${destination.table} (${destination.mode}) on ${connection.host}:${connection.port}` +
          (existing ? "." : "; it does not exist yet and will be created."),
      );
      const table = { database, name: destination.table, keyCollation };
      const plan = new TablePlan(existing, destination.key);
      return new MysqlTableLoad(db, () => closeMysql(conn), app, destination, context, table, plan, fail);
    } catch (error) {
      await closeMysql(conn);
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
        await this.db.query(`ALTER TABLE ${STAGING} ADD COLUMN ${mysqlIdent(column.name)} ${column.existing?.sqlType ?? "LONGTEXT"}`);
      }
      const count = batch.numRows();
      if (count === 0) return;
      const escape = (text: string) => this.db.escape(text);
      const encoders = columns.map((column) => encoderFor(column, escape));
      const head = `INSERT INTO ${STAGING} (_row${columns.map((c) => `, ${mysqlIdent(c.name)}`).join("")}) VALUES `;
      let values: string[] = [];
      let bytes = head.length;
      for (let row = 0; row < count; row++) {
        let tuple = `(${this.rows + row + 1}`;
        for (let c = 0; c < arrays.length; c++) tuple += `,${encoders[c]!(arrays[c]![row])}`;
        tuple += ")";
        if (values.length > 0 && (bytes + tuple.length > MAX_STATEMENT_BYTES || values.length >= MAX_ROWS_PER_STATEMENT)) {
          await this.db.query(head + values.join(","));
          values = [];
          bytes = head.length;
        }
        values.push(tuple);
        bytes += tuple.length + 1;
      }
      if (values.length > 0) await this.db.query(head + values.join(","));
      this.rows += count;
    } catch (error) {
      throw this.fail(error);
    }
  }

  async commit(finalize: (tx: Sql) => Promise<void>): Promise<void> {
    const table = `${mysqlIdent(this.table.database)}.${mysqlIdent(this.table.name)}`;
    const display = `${this.table.database}.${this.table.name}`;
    const plan = mysqlCommitPlan({
      table,
      display,
      plan: this.plan,
      mode: this.destination.mode,
      rows: this.rows,
      runId: this.context.runId,
      keyCollation: this.table.keyCollation,
    });
    try {
      for (const statement of plan.ddl) await this.db.query(statement).catch((error) => Promise.reject(this.fail(error)));
      const summary = await commitBoth({
        begin: () => this.db.query("START TRANSACTION"),
        run: async () => {
          let updated = 0;
          for (const statement of plan.statements) {
            const [result] = await this.db.query(statement.text);
            if (statement.countsUpdates) updated = Number((result as { n: number }[])[0]!.n);
          }
          return updated;
        },
        commit: () => this.db.query("COMMIT"),
        rollback: () => this.db.query("ROLLBACK"),
        app: this.app,
        finalize,
        fail: this.fail,
      });
      for (const note of plan.notes) await this.context.log(note.level, note.message);
      if (this.destination.mode === "upsert" && this.rows > 0) {
        await this.context.log("info", `Upserted into table ${display} by ${describeKey(this.plan)}: ${summary} existing keys updated, the others inserted.`);
      }
    } finally {
      await this.close();
    }
  }

  async abort(): Promise<void> {
    await this.close();
  }
}

type Statement = { text: string; countsUpdates?: boolean };
type Note = { level: "info" | "warn"; message: string };

/**
 * The DDL to run first (MySQL commits it on its own), the statements of the commit transaction,
 * and the log lines. The run id is written in as a literal: the driver's `?` substitution does not
 * skip quoted identifiers, and column names come from the data.
 */
export function mysqlCommitPlan(params: {
  table: string;
  display: string;
  plan: TablePlan;
  mode: MysqlDestination["mode"];
  rows: number;
  runId: string;
  keyCollation: string;
}): { ddl: string[]; statements: Statement[]; notes: Note[] } {
  const { table, display, plan, mode, rows, keyCollation } = params;
  if (!/^[0-9a-f-]{36}$/i.test(params.runId)) throw new Error(`Not a run id: ${params.runId}`);
  const runId = `'${params.runId}'`;
  const ddl: string[] = [];
  const statements: Statement[] = [];
  const notes: Note[] = [];
  const hasRunId = !plan.tableExists || plan.existing!.has("_run_id") || mode === "append";
  const keyNames = new Set(plan.keyColumns.map((c) => c.name));

  if (!plan.tableExists) {
    if (plan.columns.length === 0) {
      notes.push({ level: "warn", message: `The run produced no columns, so table ${display} was not created.` });
      return { ddl, statements, notes };
    }
    const columns = plan.columns.map((c) => `${mysqlIdent(c.name)} ${newColumnType(c, keyNames.has(c.name) ? keyCollation : null)}`);
    const extras = [
      "`_run_id` CHAR(36)",
      ...(mode === "upsert" ? [`PRIMARY KEY (${plan.keyColumns.map((c) => mysqlIdent(c.name)).join(", ")})`] : []),
      ...(mode === "append" ? ["KEY `dfh_run_id` (`_run_id`)"] : []),
    ];
    ddl.push(`CREATE TABLE ${table} (${[...columns, ...extras].join(", ")}) CHARACTER SET utf8mb4`);
    notes.push({ level: "info", message: `Created table ${display} with ${plan.columns.length} columns.` });
  } else {
    for (const column of plan.newColumns) {
      ddl.push(`ALTER TABLE ${table} ADD COLUMN ${mysqlIdent(column.name)} ${newColumnType(column, null)}`);
      notes.push({ level: "warn", message: `Schema drift: added column "${column.name}" (${column.type ?? "string"}) to table ${display}.` });
    }
    if (mode === "append" && !plan.existing!.has("_run_id")) {
      ddl.push(`ALTER TABLE ${table} ADD COLUMN \`_run_id\` CHAR(36)`);
      notes.push({ level: "warn", message: `Added column "_run_id" to table ${display}: it tags appended rows so that a retried run never adds them twice.` });
    }
  }

  const names = plan.columns.map((c) => mysqlIdent(c.name));
  const targets = [...names, ...(hasRunId ? ["`_run_id`"] : [])].join(", ");
  const values = [...names, ...(hasRunId ? [runId] : [])].join(", ");
  const insert = `INSERT INTO ${table} (${targets}) SELECT ${values} FROM ${STAGING} ORDER BY _row`;
  switch (mode) {
    case "replace":
      // DELETE, not TRUNCATE: MySQL's TRUNCATE commits on its own and could not be undone.
      statements.push({ text: `DELETE FROM ${table}` });
      if (rows > 0) statements.push({ text: insert });
      notes.push({ level: "info", message: `Replaced the rows of table ${display} with this run's ${rows}.` });
      break;
    case "append":
      statements.push({ text: `DELETE FROM ${table} WHERE \`_run_id\` = ${runId}` });
      if (rows > 0) statements.push({ text: insert });
      notes.push({ level: "info", message: `Appended ${rows} rows to table ${display}.` });
      break;
    case "upsert": {
      if (rows === 0) break;
      const key = plan.keyColumns.map((c) => mysqlIdent(c.name));
      statements.push({
        text: `SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${key.join(", ")} FROM ${STAGING}) s JOIN ${table} t USING (${key.join(", ")})`,
        countsUpdates: true,
      });
      const updates = [...names.filter((n) => !key.includes(n)), ...(hasRunId ? ["`_run_id`"] : [])];
      // Rows go in read order, so the last row of a repeated key is the one that stays.
      const onDuplicate = updates.length > 0 ? updates.map((c) => `${c} = VALUES(${c})`).join(", ") : `${key[0]} = ${key[0]}`;
      statements.push({ text: `${insert} ON DUPLICATE KEY UPDATE ${onDuplicate}` });
      break;
    }
  }
  return { ddl, statements, notes };
}

/** `keyCollation`: set for a key column, whose text must compare as the run's keys do. */
function newColumnType(column: PlannedColumn, keyCollation: string | null): string {
  const type = column.type ?? "string";
  // TEXT cannot be a key without a prefix length; key strings get a bounded type.
  if (keyCollation && (type === "string" || type === "json")) return `VARCHAR(255) COLLATE ${keyCollation}`;
  return mysqlTypes[type];
}

/**
 * The collation under which text keys compare as the run compares them, byte for byte: the
 * table's default (utf8mb4_general_ci) holds "A" and "a", or "b " and "b", to be one key, and an
 * upsert would merge their rows. utf8mb4_bin still ignores trailing spaces, so the no-pad binary
 * collation of MySQL 8 or MariaDB 10.2+ is taken when the server has one.
 */
async function exactCollation(db: Connection): Promise<string> {
  const [rows] = await db.query(
    "SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')",
  );
  return (rows as { name: string }[])[0]?.name ?? "utf8mb4_bin";
}

function encoderFor(column: PlannedColumn, escape: (text: string) => string): (value: unknown) => string {
  const kind = column.existing?.kind ?? (column.type === "timestamp" ? "datetime" : column.type === "json" ? "json" : "other");
  if (kind === "json") return (value) => (value === null || value === undefined ? "NULL" : escape(JSON.stringify(value)));
  if (kind === "datetime") {
    return (value) => (typeof value === "string" || value instanceof Date ? escape(utcWallClock(value)) : mysqlLiteral(value, escape, column.name));
  }
  if (kind === "integer") {
    return (value) => {
      // MySQL and MariaDB round 2.5 (and "2.5") into an integer column without a word, even in strict mode.
      if ((typeof value === "number" && !Number.isInteger(value)) || (typeof value === "string" && !WHOLE_NUMBER.test(value))) {
        throw new EtlError(
          `Column "${column.name}" holds ${JSON.stringify(value)}, but the table's column is ${column.existing!.sqlType}, which would round it or refuse it; round or cast it in a step, or widen the column.`,
          true,
        );
      }
      return mysqlLiteral(value, escape, column.name);
    };
  }
  return (value) => mysqlLiteral(value, escape, column.name);
}

// "3.0" is stored exactly; "3.5" would be rounded.
const WHOLE_NUMBER = /^\s*[+-]?\d+(?:\.0*)?\s*$/;
const INTEGER_TYPES = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint"]);

async function tableColumns(db: Connection, database: string, table: string): Promise<Map<string, ExistingColumn> | null> {
  const [tables] = await db.query("SELECT TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", [
    database,
    table,
  ]);
  const found = (tables as { type: string }[])[0];
  if (!found) return null;
  if (found.type !== "BASE TABLE") throw new EtlError(`${database}.${table} is not a table (it is a ${found.type.toLowerCase()}).`, true);
  const [rows] = await db.query(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS sqlType, DATA_TYPE AS dataType, COLLATION_NAME AS collation FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  return new Map(
    (rows as { name: string; sqlType: string; dataType: string; collation: string | null }[]).map((r) => {
      const type = r.dataType.toLowerCase();
      const kind = type === "json" ? "json" : ["datetime", "timestamp", "date"].includes(type) ? "datetime" : INTEGER_TYPES.has(type) ? "integer" : "other";
      // A staging column compares with the table's as the table compares its own text (an upsert's count joins them).
      const sqlType = r.collation ? `${r.sqlType} COLLATE ${r.collation}` : r.sqlType;
      return [r.name, { name: r.name, sqlType, kind }];
    }),
  );
}

/** ON DUPLICATE KEY matches on any unique index; the key must have one of its own to mean what the job says. */
async function assertUniqueKey(db: Connection, database: string, table: string, key: readonly string[]): Promise<void> {
  const [rows] = await db.query(
    `SELECT INDEX_NAME AS indexName, COLUMN_NAME AS columnName FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0`,
    [database, table],
  );
  const indexes = new Map<string, string[]>();
  for (const row of rows as { indexName: string; columnName: string }[]) {
    indexes.set(row.indexName, [...(indexes.get(row.indexName) ?? []), row.columnName]);
  }
  const wanted = key.map((name) => safeColumnName(name, new Set())).sort();
  const match = [...indexes.values()].some((columns) => columns.length === wanted.length && [...columns].sort().every((c, i) => c === wanted[i]));
  if (!match) {
    throw new EtlError(
      `Table ${database}.${table} has no primary key or unique index on (${wanted.join(", ")}); upsert needs one to match rows. Add it, or choose append or replace.`,
      true,
    );
  }
}
