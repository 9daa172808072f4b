import type postgres from "postgres";
import { expect } from "vitest";

/** Long enough for a loaded machine; these waits only tell a hang from an answer. */
const HANG_MS = 10_000;

/** The promise's value, or "too late" after `ms`. */
export function within<T>(promise: Promise<T>, ms = HANG_MS): Promise<T | "too late"> {
  return Promise.race([promise, new Promise<"too late">((resolve) => setTimeout(resolve, ms, "too late"))]);
}

export async function backendPid(connection: postgres.Sql | postgres.ReservedSql): Promise<number> {
  const [{ pid }] = (await connection`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  return pid;
}

/**
 * Every connection of a pool of `size` can be had at once, each a session of its own: none was
 * lost to a reservation never handed back or to a close the pool missed.
 */
export async function expectWholePool(pool: postgres.Sql, size: number): Promise<void> {
  const reserved = Promise.all(
    Array.from({ length: size }, async () => {
      const connection = await pool.reserve();
      return { connection, pid: await backendPid(connection) };
    }),
  );
  const answer = await within(reserved);
  expect(answer).not.toBe("too late");
  const held = answer as Awaited<typeof reserved>;
  expect(new Set(held.map((h) => h.pid)).size).toBe(size);
  for (const { connection } of held) connection.release();
}

/** A pool option and the promise it settles: the first close of one of the pool's sessions. */
export function firstClose(): { onclose: () => void; closed: Promise<void> } {
  let onclose!: () => void;
  const closed = new Promise<void>((resolve) => (onclose = resolve));
  return { onclose, closed };
}
