import "server-only";
import { Readable } from "node:stream";
import { openPostgres, type ExternalSql } from "@/lib/connections/postgres";
import type { ResolvedDatabaseConnection } from "@/lib/connections/resolve";

/** A running `COPY … TO STDOUT`: its output once the server starts it, and how to stop it. */
export type CopyOut = { output: Promise<Readable>; cancel(): Promise<void> };

/**
 * Starts `COPY (query) TO STDOUT` on the connection, around two gaps in postgres.js 3.4:
 *
 * - It resolves the statement with the output stream and, when the server's error arrives in the
 *   same read (an error in the first rows, a cancel before any row), destroys that stream at once.
 *   The stream's 'error' event comes before an awaiting reader resumes, and an 'error' without a
 *   listener is thrown as an uncaught exception. A listener set as the stream is handed over leaves
 *   the error to the reader, whose iteration fails with it.
 * - Once the output flows it counts the statement as finished, and its `cancel()` sends nothing.
 *   The server is asked instead, from a connection of its own, to cancel this session's statement.
 */
export async function startCopyOut(connection: ResolvedDatabaseConnection, sql: ExternalSql, query: string): Promise<CopyOut> {
  const [session] = await sql.unsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid");
  // A newline before the closing parenthesis, in case the query ends in a -- comment.
  const statement = sql.unsafe(`COPY (\n${query}\n) TO STDOUT`);
  const settle = statement as unknown as { resolve(value: unknown): void };
  const resolve = settle.resolve;
  settle.resolve = (value) => {
    if (value instanceof Readable) value.on("error", () => undefined);
    resolve(value);
  };
  return { output: statement.readable(), cancel: () => cancelBackend(connection, session!.pid) };
}

/** Cancels the statement a session runs; a user may cancel its own sessions' statements. */
async function cancelBackend(connection: ResolvedDatabaseConnection, pid: number): Promise<void> {
  const sql = openPostgres(connection);
  try {
    await sql`SELECT pg_cancel_backend(${pid})`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
