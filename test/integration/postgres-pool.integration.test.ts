import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db/client";
import { copyOut } from "@/lib/db/copy-stream";
import type { Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { startPostgresProxy } from "../faults/pg-proxy";
import { backendPid, expectWholePool, firstClose, within } from "./pool";

/**
 * How the patched postgres.js pool (patches/README.md) comes through a session that PostgreSQL
 * ends or a connection that cannot be opened: a run thread keeps its pool from run to run, so a
 * connection lost to the pool stays lost for every later run of that thread.
 */
async function terminate(pid: number): Promise<void> {
  const [result] = await sql<{ done: boolean }[]>`SELECT pg_terminate_backend(${pid}::int) AS done`;
  expect(result?.done).toBe(true);
}

describe("a pool whose session PostgreSQL ends", () => {
  // A reserved connection handed back after its close went back into use as if open, its socket
  // gone: most later queries of the pool failed with CONNECTION_CLOSED.
  it("takes back a reserved connection released after the close, and reconnects it", async () => {
    const { onclose, closed } = firstClose();
    const two = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {}, onclose });
    try {
      await two`SELECT 1`;
      const held = await two.reserve();
      await terminate(await backendPid(held));
      expect(await within(closed)).not.toBe("too late");
      held.release();
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => two`SELECT 1 AS ok`));
      expect(answers.filter((result) => result.status === "rejected")).toEqual([]);
      await expectWholePool(two, 2);
    } finally {
      await two.end({ timeout: 1 });
    }
  });

  // A reservation's queries went to its connection after the close, wherever the pool had put it
  // since: reconnecting for another query, or reserved by someone else.
  it("refuses a reservation's queries once its session has ended", async () => {
    const { onclose, closed } = firstClose();
    const one = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {}, onclose });
    try {
      const held = await one.reserve();
      await terminate(await backendPid(held));
      expect(await within(closed)).not.toBe("too late");
      // The pool's one connection, reconnected, now answers the pool's own queries.
      expect(await one`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
      await expect(held`SELECT 2`).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
      held.release();
      await expectWholePool(one, 1);
    } finally {
      await one.end({ timeout: 1 });
    }
  });

  // A FATAL "terminating connection" came before the close and stayed behind it: the reconnected
  // session's first query failed with it.
  it("answers the next query from a new session", async () => {
    const one = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const pid = await backendPid(one);
      const sleeping = one`SELECT pg_sleep(30)`.catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await terminate(pid);
      expect(await within(sleeping)).toBeInstanceOf(Error);
      expect(await one`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
      expect(await backendPid(one)).not.toBe(pid);
    } finally {
      await one.end({ timeout: 1 });
    }
  });

  // A reserve waiting for a connection when one closed was handed to the reconnect, which
  // dropped it: it never settled, and a run waiting on it hung until its time limit.
  it("still gives a waiting reserve the connection that closed", async () => {
    const one = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const held = await one.reserve();
      const waiting = one.reserve();
      await terminate(await backendPid(held));
      const next = await within(waiting);
      expect(next).not.toBe("too late");
      const connection = next as postgres.ReservedSql;
      expect(await connection`SELECT 2 AS ok`).toEqual([{ ok: 2 }]);
      connection.release();
      held.release();
      await expectWholePool(one, 1);
    } finally {
      await one.end({ timeout: 1 });
    }
  });

  // Refused by a reconnect that failed, a reserve stayed queued: once PostgreSQL was back, it took
  // the new connection and held it for nobody, and the pool had none left.
  it("forgets a waiting reserve that the reconnect refused", async () => {
    const proxy = await startPostgresProxy(new URL(env.DATABASE_URL));
    const one = postgres(proxy.url(), { max: 1, onnotice: () => {}, connect_timeout: 2, backoff: () => 0 });
    try {
      const held = await one.reserve();
      await backendPid(held);
      const waiting = one.reserve().then(
        (connection) => connection,
        (error: unknown) => error as Error,
      );
      await proxy.cut();
      expect(await within(waiting)).toBeInstanceOf(Error);
      await proxy.restore();
      held.release();
      await expectWholePool(one, 1);
    } finally {
      await one.end({ timeout: 1 });
      await proxy.close();
    }
  });
});

describe("a COPY on a shared pool (lib/db/copy-stream.ts)", () => {
  // Once every connection was busy, postgres.js queued a query behind the streaming COPY on its
  // connection, where it failed with COPY_IN_PROGRESS.
  it("has its connection to itself while it streams, and hands it back at the end", async () => {
    const two = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {} });
    try {
      await Promise.all([two`SELECT 1`, two`SELECT 1`]);
      // Both connections busy, the longer for longer: the COPY starts once the first is free, and
      // the queries after it find every connection busy.
      const sleeping = [two`SELECT pg_sleep(0.2)`, two`SELECT pg_sleep(1)`];
      const { stream, done } = await copyOut(two as unknown as Sql, "COPY (SELECT generate_series(1, 200000)) TO STDOUT");
      // Unread, the output fills the stream's buffer and holds the COPY open.
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => two`SELECT 1 AS ok`));
      expect(answers.filter((result) => result.status === "rejected")).toEqual([]);
      let lines = 0;
      for await (const part of stream) lines += (part as Buffer).toString("latin1").split("\n").length - 1;
      await done;
      await Promise.all(sleeping);
      expect(lines).toBe(200_000);
      await expectWholePool(two, 2);
    } finally {
      await two.end({ timeout: 1 });
    }
  });
});
