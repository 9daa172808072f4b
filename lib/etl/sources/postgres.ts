import "server-only";
import { connectionForRun } from "@/lib/connections/resolve";
import { driverError } from "@/lib/connections/driver-error";
import { openPostgres } from "@/lib/connections/postgres";
import { quoteIdent } from "@/lib/db/identifiers";
import { EtlError } from "@/lib/etl/errors";
import { bareQuery, type IncrementalTracker } from "@/lib/etl/incremental";
import type { PostgresSource } from "@/lib/schemas/database-source";
import { assertSelectStatement, BATCH_ROWS, guard, readSummary, SAMPLE_ROWS } from "./database-reading";
import type { SourcePage } from "./page";
import { copyLayout, readByCopy, type PostgresReading } from "./postgres-copy";
import { repeatedColumn, repeatedColumnMessage } from "./select-statement";
import type { SourceContext } from "./types";

/** The query to run: the user's own, or wrapped to read only rows past the incremental cursor, in its order. */
export function postgresQuery(query: string, incremental: IncrementalTracker | undefined): { text: string; params: string[] } {
  const body = bareQuery(query);
  if (!incremental) return { text: body, params: [] };
  const column = `q.${quoteIdent(incremental.column)}`;
  // A newline before the closing parenthesis, in case the query ends in a -- comment.
  const from = `SELECT * FROM (\n${body}\n) AS q`;
  if (!incremental.last) return { text: `${from} ORDER BY ${column}`, params: [] };
  // The cursor goes out untyped, so PostgreSQL reads it as the column's own type: exact for timestamps and numerics.
  return { text: `${from} WHERE ${column} > $1 ORDER BY ${column}`, params: [incremental.last.value] };
}

/**
 * Reads a query's rows in batches, in a read-only transaction with a statement timeout, on a
 * connection of its own that is closed however the run ends (the run loop calls `return()` on
 * failure; a cancel ends the connection, which cuts a query short). Most queries are read through
 * COPY, into pages held column by column; the rest, previews and incremental reads through a cursor.
 */
export async function* extractPostgres(source: PostgresSource, ctx: SourceContext): AsyncGenerator<SourcePage> {
  assertSelectStatement(source.query, "postgres");
  const connection = await connectionForRun(ctx.workspaceId, source.connectionId, "postgres");
  const sql = openPostgres(connection);
  const fail = (error: unknown) => driverError(error, "PostgreSQL", connection.secret);
  let query: { cancel(): unknown } | undefined;
  // A closed socket alone would leave the server running the statement until it next writes a row:
  // cancel it first (the request goes out on a connection of its own).
  const stop = () => {
    void Promise.resolve(query?.cancel())
      .catch(() => undefined)
      .finally(() => sql.end({ timeout: 1 }));
  };
  const reading: PostgresReading = {
    connection,
    sql,
    fail,
    running: (statement) => {
      query = statement;
    },
  };
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    await ctx.log("info", `Querying PostgreSQL database "${connection.database}" on ${connection.host}:${connection.port} as ${connection.user}.`);
    const { text, params } = postgresQuery(source.query, ctx.incremental);
    const statement = await guard(fail, async () => {
      await sql.unsafe("BEGIN TRANSACTION READ ONLY");
      await sql.unsafe(`SET LOCAL statement_timeout = ${source.timeoutMs}`);
      return sql.unsafe(text, params).describe();
    });
    const repeated = repeatedColumn(statement.columns.map((column) => column.name));
    if (repeated !== undefined) throw new EtlError(repeatedColumnMessage(repeated), true);
    // A preview wants only a sample, and the incremental tracker observes records (and its
    // cursor value is a parameter, which COPY cannot take): both read through the cursor.
    const layout = ctx.sampleOnly || ctx.incremental ? null : copyLayout(text, statement);
    const count = layout ? yield* readByCopy(reading, text, layout) : yield* readByCursor(reading, text, params, ctx);
    await guard(fail, () => sql.unsafe("COMMIT"));
    await ctx.log("info", readSummary(count, ctx.incremental));
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await sql.end({ timeout: 1 });
  }
}

/** Reads the query's rows as records, BATCH_ROWS at a time (SAMPLE_ROWS once for a preview); answers how many. */
async function* readByCursor({ sql, fail, running }: PostgresReading, text: string, params: string[], ctx: SourceContext): AsyncGenerator<unknown[], number> {
  const rows = await guard(fail, async () => {
    const statement = sql.unsafe(text, params);
    running(statement);
    return statement.cursor(ctx.sampleOnly ? SAMPLE_ROWS : BATCH_ROWS)[Symbol.asyncIterator]();
  });
  let count = 0;
  // postgres.js answers a finished cursor's next() with a plain object, not a promise.
  const fetchNext = () => Promise.resolve(rows.next());
  let pending = fetchNext();
  while (true) {
    const next = await guard(fail, () => pending);
    if (next.done) break;
    count += next.value.length;
    ctx.incremental?.observe(next.value);
    if (ctx.sampleOnly) {
      yield next.value;
      await rows.return?.();
      break;
    }
    // PostgreSQL produces the next batch while this one is transformed and loaded. A reader that
    // stops early never awaits it; its failure (the connection closing) must not become unhandled.
    pending = fetchNext();
    pending.catch(() => undefined);
    yield next.value;
  }
  return count;
}
