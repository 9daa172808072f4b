import { asc, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { runLogs } from "@/lib/db/schema";
import { bufferedRunLogger } from "@/lib/etl/run-log";
import { resetDatabase } from "../db";
import { createDatasetJob } from "./jobs";

async function newRun() {
  const job = await createDatasetJob("Logged");
  return insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
}

/** The run's lines in order, with the transaction that inserted each (rows of one insert share its xmin). */
async function lines(runId: string) {
  return db
    .select({ message: runLogs.message, ts: runLogs.ts, insert: sql<string>`${runLogs}.xmin::text` })
    .from(runLogs)
    .where(eq(runLogs.runId, runId))
    .orderBy(asc(runLogs.id));
}

async function waitForLines(runId: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const found = await lines(runId);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the run's ${count} log lines were not written`);
}

beforeEach(async () => {
  await resetDatabase();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a running attempt's log (bufferedRunLogger)", () => {
  it("writes lines logged close together in one insert, in order, without being flushed", async () => {
    const run = await newRun();
    const { log } = bufferedRunLogger(run.id);
    for (const page of [1, 2, 3]) await log("info", `Fetched page ${page}`);
    const written = await waitForLines(run.id, 3);
    expect(written.map((line) => line.message)).toEqual(["Fetched page 1", "Fetched page 2", "Fetched page 3"]);
    expect(new Set(written.map((line) => line.insert)).size).toBe(1);
  });

  it("writes what waits at once on flush, without waiting for the lines' company", async () => {
    const run = await newRun();
    const { log, flush } = bufferedRunLogger(run.id);
    // The wait for company never ends here: only flush can write the lines.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    await log("info", "first");
    await log("warn", "second");
    await flush();
    expect((await lines(run.id)).map((line) => line.message)).toEqual(["first", "second"]);
  });

  it("writes each line with the time it was logged, or the time its run thread gives", async () => {
    const run = await newRun();
    const { log, flush } = bufferedRunLogger(run.id);
    await log("info", "first");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await log("warn", "second");
    const inThread = new Date(Date.now() - 3_600_000);
    await log("info", "posted by a run thread an hour ago", undefined, inThread);
    await flush();
    const written = await lines(run.id);
    expect(written.map((line) => line.message)).toEqual(["first", "second", "posted by a run thread an hour ago"]);
    expect(written[1]!.ts.getTime() - written[0]!.ts.getTime()).toBeGreaterThanOrEqual(50);
    expect(written[2]!.ts.getTime()).toBe(inThread.getTime());
  });
});
