import * as aq from "arquero";
import postgres from "postgres";
import { beforeEach, describe, expect, it } from "vitest";
import { sql, type Sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { DatasetLoad } from "@/lib/etl/destinations/dataset";
import { createUser, resetDatabase } from "../db";
import { createJob } from "./jobs";

beforeEach(async () => {
  await resetDatabase();
});

const batch = (from: number, rows: number) => aq.table({ id: Array.from({ length: rows }, (_, i) => from + i) });

/** The smallest pool lib/env allows, named so that its sessions can be found in pg_stat_activity. */
function smallPool(name: string) {
  const pool = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {}, connection: { application_name: name } });
  return { pool, sql: pool as unknown as Sql };
}

async function openLoad(small: Sql) {
  const { user, workspace } = await createUser();
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: "Small pool",
    definition: { source: { type: "http", url: "http://127.0.0.1:9/none" }, destination: { type: "dataset" } },
  });
  const context = { jobId: job.id, workspaceId: workspace.id, runId: crypto.randomUUID(), attemptId: crypto.randomUUID(), log: async () => {} };
  return { job, load: await DatasetLoad.open(small, { type: "dataset", mode: "replace" }, context) };
}

/** Both connections of the pool answer, each from a session of its own, within two seconds. */
async function expectWholePool(pool: postgres.Sql) {
  const pids = Promise.all([0, 1].map(async () => {
    const connection = await pool.reserve();
    const [{ pid }] = (await connection`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
    return { connection, pid };
  }));
  const answer = await Promise.race([pids, new Promise<"no answer">((resolve) => setTimeout(resolve, 2000, "no answer"))]);
  expect(answer).not.toBe("no answer");
  const held = answer as Awaited<typeof pids>;
  expect(new Set(held.map((h) => h.pid)).size).toBe(2);
  for (const { connection } of held) connection.release();
}

describe("a dataset load on a pool as small as the worker allows", () => {
  // A run's bookkeeping (progress, cancellation checks) shares its thread's pool with the load's
  // COPY. Once every connection was busy, postgres.js queued the next query behind the open COPY
  // on its connection, where it failed with COPY_IN_PROGRESS and failed the run.
  it("keeps the open COPY's connection to itself while other queries queue for the rest", async () => {
    const { pool, sql: small } = smallPool("dfh-test-small-pool");
    try {
      const { job, load } = await openLoad(small);
      await load.write(batch(1, 5000));
      const busy = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => small`SELECT pg_sleep(0.01), ${i}::int AS i`));
      expect(busy.filter((result) => result.status === "rejected")).toEqual([]);
      await load.write(batch(5001, 5000));
      await load.commit(async () => {});
      const [{ n }] = (await pool.unsafe(`SELECT count(*)::int AS n FROM ${qualified(env.DATASET_SCHEMA, datasetTableName(job.id))}`)) as unknown as [{ n: number }];
      expect(n).toBe(10_000);
      await expectWholePool(pool);
    } finally {
      await pool.end();
    }
  });

  // The COPY's connection is reserved. Handed back after PostgreSQL had closed it (a restart, a
  // failover), postgres.js put the dead connection back in use: every later query of the pool,
  // which a run thread keeps from run to run, failed with CONNECTION_CLOSED (patches/README.md).
  it("leaves the pool whole when the COPY's session is ended under it", async () => {
    const name = "dfh-test-copy-ended";
    const { pool, sql: small } = smallPool(name);
    try {
      const { load } = await openLoad(small);
      await load.write(batch(1, 5000));
      const [ended] = await sql<{ done: boolean }[]>`
        SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = ${name} AND query LIKE 'COPY%'`;
      expect(ended?.done).toBe(true);
      await expect(
        (async () => {
          for (let i = 0; i < 50; i++) {
            await load.write(batch(5001 + i * 1000, 1000));
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })(),
      ).rejects.toThrow();
      await load.abort().catch(() => undefined);
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => small`SELECT 1 AS ok`));
      expect(answers.filter((result) => result.status === "rejected")).toEqual([]);
      await expectWholePool(pool);
    } finally {
      await pool.end();
    }
  });
});

describe("postgres.js reserved connections", () => {
  // Handed back after PostgreSQL had closed its session, a reserved connection went back into use
  // as if open, its socket gone: most later queries of the pool failed with CONNECTION_CLOSED.
  it("can be released after their session ended, leaving the pool whole", async () => {
    const name = "dfh-test-released-closed";
    const two = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {}, connection: { application_name: name } });
    try {
      await two`SELECT 1`;
      const held = await two.reserve();
      const [{ pid }] = (await held`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
      await sql`SELECT pg_terminate_backend(${pid}::int)`;
      // The close reaches the pool before the connection is handed back.
      await new Promise((resolve) => setTimeout(resolve, 200));
      held.release();
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => two`SELECT 1 AS ok`));
      expect(answers.filter((result) => result.status === "rejected")).toEqual([]);
      await expectWholePool(two);
    } finally {
      await two.end();
    }
  });

  // A reserve waiting for a connection when one closes was handed to the reconnect, which dropped
  // it: the reserve never settled (the run hung until its time limit).
  it("still get a connection when the one they waited for closes", async () => {
    const name = "dfh-test-queued-reserve";
    const one = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {}, connection: { application_name: name } });
    try {
      const held = await one.reserve();
      const [{ pid }] = (await held`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
      const waiting = one.reserve();
      await sql`SELECT pg_terminate_backend(${pid}::int)`;
      const next = await Promise.race([waiting, new Promise<"no connection">((resolve) => setTimeout(resolve, 3000, "no connection"))]);
      expect(next).not.toBe("no connection");
      const connection = next as postgres.ReservedSql;
      expect(await connection`SELECT 2 AS ok`).toEqual([{ ok: 2 }]);
      connection.release();
      held.release();
    } finally {
      await one.end();
    }
  });
});
