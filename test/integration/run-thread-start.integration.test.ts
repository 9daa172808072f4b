import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { getRun, insertRun } from "@/lib/db/queries/runs";
import { closeRunThreads, executeRunIsolated } from "@/lib/etl/isolated-run";
import { createUser, resetDatabase } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { claimed } from "../worker";
import { orderPages, ordersJob } from "./fixtures";
import { createJob, logMessages } from "./jobs";

/** Thread creation fails while this is set, as Node's does when the process is out of threads or memory. */
const refuse = vi.hoisted(() => ({ threads: false }));

vi.mock("node:worker_threads", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:worker_threads")>();
  class RefusingWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      if (refuse.threads) throw Object.assign(new Error("Worker initialization failure: EAGAIN"), { code: "ERR_WORKER_INIT_FAILED" });
      super(...args);
    }
  }
  return { ...original, Worker: RefusingWorker, default: { ...original, Worker: RefusingWorker } };
});

let fixture: FixtureServer;

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  await closeRunThreads();
  await fixture?.close();
});

beforeEach(async () => {
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", orderPages);
});

it("fails the attempt with a transient error when no run thread can start, and the retry runs", async () => {
  const { user, workspace } = await createUser();
  const job = await createJob({ workspaceId: workspace.id, userId: user.id, name: "Orders", definition: ordersJob(`${fixture.origin}/orders`) });
  const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
  const message = "The worker could not start a thread for the run (out of memory or threads?); see the worker's log.";

  await closeRunThreads();
  refuse.threads = true;
  expect(await executeRunIsolated(run.id, await claimed(run.id, 1, 2))).toEqual({
    kind: "failed",
    stage: "extract",
    message,
    permanent: false,
    final: false,
  });
  expect(await getRun(db, run.id)).toMatchObject({ status: "pending", errorStage: "extract", errorMessage: message });
  expect(await logMessages(run.id)).toEqual([`extract failed: ${message}`, "Attempt 1 of 2 failed; the run will be retried."]);

  refuse.threads = false;
  expect(await executeRunIsolated(run.id, await claimed(run.id, 2, 2))).toEqual({ kind: "success", rowsLoaded: 5 });
  expect(await getRun(db, run.id)).toMatchObject({ status: "success", rowsLoaded: 5 });
});
