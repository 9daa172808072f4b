import "server-only";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { ReservedSql } from "postgres";
import type { Sql } from "./client";

/**
 * A COPY's stream on a connection of its own, handed back to the pool once the stream has ended
 * or failed. On a shared pool, once every connection is busy, postgres.js queues the next query
 * behind whatever a connection runs: behind an open COPY it fails (COPY_IN_PROGRESS). `done`
 * settles with the stream, its failure included, and never counts as unhandled.
 */
async function onOwnConnection<S extends Readable | Writable>(
  sql: Sql,
  open: (connection: ReservedSql) => Promise<S>,
): Promise<{ stream: S; done: Promise<void> }> {
  const connection = await sql.reserve();
  let stream: S;
  try {
    stream = await open(connection);
  } catch (error) {
    connection.release();
    throw error;
  }
  const done = finished(stream).finally(() => connection.release());
  done.catch(() => undefined);
  return { stream, done };
}

/** `COPY … FROM STDIN`: write the rows, then end the stream; `done` is PostgreSQL's answer. */
export function copyIn(sql: Sql, statement: string): Promise<{ stream: Writable; done: Promise<void> }> {
  return onOwnConnection(sql, (connection) => connection.unsafe(statement).writable() as Promise<Writable>);
}

/** `COPY … TO STDOUT`: read the stream to its end (or destroy it) to hand the connection back. */
export function copyOut(sql: Sql, statement: string): Promise<{ stream: Readable; done: Promise<void> }> {
  return onOwnConnection(sql, (connection) => connection.unsafe(statement).readable() as Promise<Readable>);
}
