import "server-only";
import mysql, { type FieldPacket } from "mysql2";
import { connectionForRun } from "@/lib/connections/resolve";
import { driverError } from "@/lib/connections/driver-error";
import { closeMysql, connectMysql, killQuery } from "@/lib/connections/mysql";
import { bareQuery, type IncrementalCursor, type IncrementalTracker } from "@/lib/etl/incremental";
import type { MysqlSource } from "@/lib/schemas/database-source";
import { EtlError } from "@/lib/etl/errors";
import { assertSelectStatement, BATCH_ROWS, guard, readSummary, SAMPLE_ROWS } from "./database-reading";
import { repeatedColumn, repeatedColumnMessage } from "./select-statement";
import type { SourceContext } from "./types";

// mysql2 is CommonJS: Node's ESM loader (the worker runs under tsx) sees no named export `Types`.
const { Types } = mysql;

export function mysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

const NUMBER_LITERAL = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** The cursor as a literal: numbers bare (a quoted one would be compared as a double), anything else escaped. */
export function mysqlCursorLiteral(cursor: IncrementalCursor, escape: (value: string) => string): string {
  return cursor.numeric && NUMBER_LITERAL.test(cursor.value) ? cursor.value : escape(cursor.value);
}

/**
 * The query to run: the user's own, or wrapped to read only rows past the incremental cursor, in
 * its order. The cursor is written into the text rather than sent as a `?` placeholder, because
 * the driver would also replace any `?` inside the user's own string literals.
 */
export function mysqlQuery(query: string, incremental: IncrementalTracker | undefined, escape: (value: string) => string): string {
  const body = bareQuery(query);
  if (!incremental) return body;
  const column = `q.${mysqlIdent(incremental.column)}`;
  const from = `SELECT * FROM (\n${body}\n) AS q`;
  if (!incremental.last) return `${from} ORDER BY ${column}`;
  return `${from} WHERE ${column} > ${mysqlCursorLiteral(incremental.last, escape)} ORDER BY ${column}`;
}

// Column types whose values compare as numbers.
const NUMERIC_TYPES = new Set<number>([
  Types.DECIMAL,
  Types.NEWDECIMAL,
  Types.TINY,
  Types.SHORT,
  Types.LONG,
  Types.LONGLONG,
  Types.INT24,
  Types.FLOAT,
  Types.DOUBLE,
  Types.YEAR,
]);

/**
 * Streams a query's rows from MySQL or MariaDB in batches, in a read-only transaction with a
 * statement timeout, on a connection of its own. The driver reads rows off the socket as they are
 * consumed, so memory holds one batch however large the result.
 */
export async function* extractMysql(source: MysqlSource, ctx: SourceContext): AsyncGenerator<unknown[]> {
  assertSelectStatement(source.query, "mysql");
  const connection = await connectionForRun(ctx.workspaceId, source.connectionId, "mysql");
  const fail = (error: unknown) => driverError(error, "MySQL", connection.secret);
  await ctx.log("info", `Querying MySQL database "${connection.database}" on ${connection.host}:${connection.port} as ${connection.user}.`);
  const conn = await guard(fail, () => connectMysql(connection));
  const stop = () => {
    const threadId = conn.threadId;
    conn.destroy();
    if (threadId !== null) void killQuery(connection, threadId).catch(() => undefined);
  };
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    const db = conn.promise();
    await guard(fail, async () => {
      await db.query("SET SESSION time_zone = '+00:00'");
      const [rows] = await db.query("SELECT VERSION() AS version");
      const mariadb = /mariadb/i.test(String((rows as { version: string }[])[0]?.version));
      // MariaDB's limit is in seconds and covers every statement; MySQL's in milliseconds, for SELECTs.
      await db.query(
        mariadb ? `SET SESSION max_statement_time = ${source.timeoutMs / 1000}` : `SET SESSION max_execution_time = ${source.timeoutMs}`,
      );
      await db.query("START TRANSACTION READ ONLY");
    });

    const query = conn.query(mysqlQuery(source.query, ctx.incremental, (value) => conn.escape(value)));
    let numericColumn: boolean | undefined;
    // Read before the first row: a statement without a result set (SELECT … INTO @variable) comes
    // with no fields, and its "row" is the server's OK packet.
    let unreadable: string | undefined;
    query.on("fields", (fields: FieldPacket[] | undefined) => {
      if (!fields) {
        unreadable = "The query returned no rows to read (a SELECT … INTO stores its result instead of returning it).";
        return;
      }
      const repeated = repeatedColumn(fields.map((f) => f.name));
      if (repeated !== undefined) unreadable = repeatedColumnMessage(repeated);
      const field = fields.find((f) => f.name === ctx.incremental?.column);
      if (field?.type !== undefined) numericColumn = NUMERIC_TYPES.has(field.type);
    });
    const size = ctx.sampleOnly ? SAMPLE_ROWS : BATCH_ROWS;
    const rows = query.stream({ highWaterMark: Math.min(size, 1000) })[Symbol.asyncIterator]();
    let batch: unknown[] = [];
    let count = 0;
    while (true) {
      const next = await guard(fail, () => rows.next());
      if (unreadable) throw new EtlError(unreadable, true);
      if (!next.done) batch.push(next.value);
      if (batch.length >= size || (next.done && batch.length > 0)) {
        count += batch.length;
        ctx.incremental?.observe(batch, numericColumn);
        yield batch;
        batch = [];
        if (ctx.sampleOnly) return;
      }
      if (next.done) break;
    }
    await guard(fail, () => db.query("COMMIT"));
    await ctx.log("info", readSummary(count, ctx.incremental));
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await closeMysql(conn);
  }
}
