import * as aq from "arquero";
import postgres from "postgres";
import { beforeEach, describe, expect, it } from "vitest";
import { sql, type Sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { DatasetLoad } from "@/lib/etl/destinations/dataset";
import { resetDatabase } from "../db";
import { createDatasetJob } from "./jobs";
import { expectWholePool, firstClose, within } from "./pool";

beforeEach(async () => {
  await resetDatabase();
});

const batch = (from: number, rows: number) => aq.table({ id: Array.from({ length: rows }, (_, i) => from + i) });

/** The smallest pool lib/env allows, named so that its sessions can be found in pg_stat_activity. */
function smallPool(name: string) {
  const { onclose, closed } = firstClose();
  const pool = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {}, onclose, connection: { application_name: name } });
  return { pool, sql: pool as unknown as Sql, closed };
}

async function openLoad(small: Sql) {
  const job = await createDatasetJob("Small pool");
  const context = { jobId: job.id, workspaceId: job.workspaceId, runId: crypto.randomUUID(), attemptId: crypto.randomUUID(), log: async () => {} };
  return { job, load: await DatasetLoad.open(small, { type: "dataset", mode: "replace" }, context) };
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
      await expectWholePool(pool, 2);
    } finally {
      await pool.end({ timeout: 1 });
    }
  });

  // The COPY's connection is reserved. Handed back after PostgreSQL had closed it (a restart, a
  // failover), postgres.js put the dead connection back in use: every later query of the pool,
  // which a run thread keeps from run to run, failed with CONNECTION_CLOSED (patches/README.md).
  it("leaves the pool whole when the COPY's session is ended under it", async () => {
    const name = "dfh-test-copy-ended";
    const { pool, sql: small, closed } = smallPool(name);
    try {
      const { load } = await openLoad(small);
      await load.write(batch(1, 5000));
      const [ended] = await sql<{ done: boolean }[]>`
        SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${name} AND state = 'active' AND query LIKE 'COPY%'`;
      expect(ended?.done).toBe(true);
      // PostgreSQL ends a session in COPY FROM STDIN when it next reads from it: the load writes
      // until the pool hears of the close, and the write after that fails.
      const writing = (async () => {
        for (let row = 5001; ; row += 1000) {
          await load.write(batch(row, 1000));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      writing.catch(() => undefined);
      expect(await within(closed)).not.toBe("too late");
      await expect(writing).rejects.toThrow();
      await load.abort().catch(() => undefined);
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => small`SELECT 1 AS ok`));
      expect(answers.filter((result) => result.status === "rejected")).toEqual([]);
      await expectWholePool(pool, 2);
    } finally {
      await pool.end({ timeout: 1 });
    }
  });
});
