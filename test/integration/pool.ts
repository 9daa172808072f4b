import type postgres from "postgres";
import { expect } from "vitest";

/**
 * Every connection of a pool of `size` can be had at once, each a session of its own, within two
 * seconds: none was lost to a reservation never handed back or to a close the pool missed.
 */
export async function expectWholePool(pool: postgres.Sql, size: number): Promise<void> {
  const reserved = Promise.all(
    Array.from({ length: size }, async () => {
      const connection = await pool.reserve();
      const [{ pid }] = (await connection`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
      return { connection, pid };
    }),
  );
  const answer = await Promise.race([reserved, new Promise<"no answer">((resolve) => setTimeout(resolve, 2000, "no answer"))]);
  expect(answer).not.toBe("no answer");
  const held = answer as Awaited<typeof reserved>;
  expect(new Set(held.map((h) => h.pid)).size).toBe(size);
  for (const { connection } of held) connection.release();
}
