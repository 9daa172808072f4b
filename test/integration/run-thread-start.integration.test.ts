import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { getRun, insertRun } from "@/lib/db/queries/runs";
import { closeRunThreads, executeRunIsolated } from "@/lib/etl/isolated-run";
import { createUser, resetDatabase } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { claimed } from "../worker";
import { orderPages, ordersJob } from "./fixtures";
import { createJob, logMessages } from "./jobs";

/**
 * How thread creation fails, as Node's does when the process is out of threads or memory: the
 * constructor throws (no OS thread), or the thread reports ERR_WORKER_INIT_FAILED (no isolate or
 * event loop). Node cannot be brought to either on demand, so only the thread constructor is
 * replaced here; PostgreSQL, the source and the run's code are real.
 */
const refuse = vi.hoisted(() => ({ how: "no" as "no" | "throw" | "event" }));

vi.mock("node:worker_threads", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:worker_threads")>();
  const failure = () => Object.assign(new Error("Worker initialization failure: EAGAIN"), { code: "ERR_WORKER_INIT_FAILED" });
  class RefusingWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      if (refuse.how === "throw") throw failure();
      super(...args);
      if (refuse.how === "event") {
        setImmediate(() => {
          this.emit("error", failure());
          void this.terminate();
        });
      }
    }
  }
  return { ...original, Worker: RefusingWorker, default: { ...original, Worker: RefusingWorker } };
});

let fixture: FixtureServer;

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  refuse.how = "no";
  await closeRunThreads();
  await fixture?.close();
});

beforeEach(async () => {
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", orderPages);
});

const message = "The worker could not start a thread for the run (out of memory or threads?); see the worker's log.";

async function pendingRun() {
  const { user, workspace } = await createUser();
  const job = await createJob({ workspaceId: workspace.id, userId: user.id, name: "Orders", definition: ordersJob(`${fixture.origin}/orders`) });
  return insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
}

it.each(["throw", "event"] as const)(
  "fails the attempt with a transient error when no run thread can start (%s), and the retry runs",
  async (how) => {
    const run = await pendingRun();
    await closeRunThreads();
    refuse.how = how;
    expect(await executeRunIsolated(run.id, await claimed(run.id, 1, 2))).toEqual({ kind: "failed", stage: "extract", message, permanent: false, final: false });
    expect(await getRun(db, run.id)).toMatchObject({ status: "pending", errorStage: "extract", errorMessage: message });
    expect(await logMessages(run.id)).toEqual([`extract failed: ${message}`, "Attempt 1 of 2 failed; the run will be retried."]);

    refuse.how = "no";
    expect(await executeRunIsolated(run.id, await claimed(run.id, 2, 2))).toEqual({ kind: "success", rowsLoaded: 5 });
    expect(await getRun(db, run.id)).toMatchObject({ status: "success", rowsLoaded: 5 });
  },
);

it("fails the run when its last attempt cannot start a thread", async () => {
  const run = await pendingRun();
  await closeRunThreads();
  refuse.how = "throw";
  expect(await executeRunIsolated(run.id, await claimed(run.id, 1, 1))).toEqual({ kind: "failed", stage: "extract", message, permanent: false, final: true });
  refuse.how = "no";
  expect(await getRun(db, run.id)).toMatchObject({ status: "failed", errorStage: "extract", errorMessage: message });
  expect(await logMessages(run.id)).toEqual([`extract failed: ${message}`]);
});
