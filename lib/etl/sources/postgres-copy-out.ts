import "server-only";
import type { Readable } from "node:stream";
import { openPostgres, type ExternalSql } from "@/lib/connections/postgres";
import type { ResolvedDatabaseConnection } from "@/lib/connections/resolve";

/** A running `COPY … TO STDOUT`: its output once the server starts it, and how to stop it. */
export type CopyOut = { output: Promise<Readable>; cancel(): Promise<void> };

/**
 * Starts `COPY (query) TO STDOUT` on the connection. Once the output flows, postgres.js 3.4
 * counts the statement as finished and its `cancel()` sends nothing, so the server is asked
 * instead, from a connection of its own, to cancel this session's statement. (An error in the
 * first rows reaches the reader through the stream: patches/postgres+3.4.9.patch.)
 */
export async function startCopyOut(connection: ResolvedDatabaseConnection, sql: ExternalSql, query: string): Promise<CopyOut> {
  const [session] = await sql.unsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid");
  // A newline before the closing parenthesis, in case the query ends in a -- comment.
  const output = sql.unsafe(`COPY (\n${query}\n) TO STDOUT`).readable();
  return { output, cancel: () => cancelBackend(connection, session!.pid) };
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
