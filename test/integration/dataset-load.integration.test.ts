import * as aq from "arquero";
import postgres from "postgres";
import { beforeEach, describe, expect, it } from "vitest";
import type { Sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { DatasetLoad } from "@/lib/etl/destinations/dataset";
import { createUser, resetDatabase } from "../db";
import { createJob } from "./jobs";

beforeEach(async () => {
  await resetDatabase();
});

const batch = (from: number, rows: number) => aq.table({ id: Array.from({ length: rows }, (_, i) => from + i) });

describe("a dataset load on a pool as small as the worker allows", () => {
  // A run's bookkeeping (progress, cancellation checks) shares its thread's pool with the load's
  // COPY. Once every connection was busy, postgres.js queued the next query behind the open COPY
  // on its connection, where it failed with COPY_IN_PROGRESS and failed the run.
  it("keeps the open COPY's connection to itself while other queries queue for the rest", async () => {
    const { user, workspace } = await createUser();
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Small pool",
      definition: { source: { type: "http", url: "http://127.0.0.1:9/none" }, destination: { type: "dataset" } },
    });
    // The smallest pool lib/env allows.
    const pool = postgres(env.DATABASE_URL, { max: 2, onnotice: () => {} });
    const small = pool as unknown as Sql;
    const context = { jobId: job.id, workspaceId: workspace.id, runId: crypto.randomUUID(), attemptId: crypto.randomUUID(), log: async () => {} };
    try {
      const load = await DatasetLoad.open(small, { type: "dataset", mode: "replace" }, context);
      await load.write(batch(1, 5000));
      const busy = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => small`SELECT pg_sleep(0.01), ${i}::int AS i`));
      expect(busy.filter((result) => result.status === "rejected")).toEqual([]);
      await load.write(batch(5001, 5000));
      await load.commit(async () => {});
      const [{ n }] = (await pool.unsafe(`SELECT count(*)::int AS n FROM ${qualified(env.DATASET_SCHEMA, datasetTableName(job.id))}`)) as unknown as [{ n: number }];
      expect(n).toBe(10_000);
    } finally {
      await pool.end({ timeout: 1 });
    }
  });
});
