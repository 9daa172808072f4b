import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runsQueue } from "@/lib/queue/runs-queue";
import { createUser, resetDatabase, resetQueue } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { createJob, logMessages, triggerJob } from "./jobs";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;

beforeAll(async () => {
  fixture = await startFixtureServer();
  worker = await startRunsWorker();
});
afterAll(async () => {
  await worker?.close();
  await fixture?.close();
});
beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
});

async function runAgainst(status: number, headers: Record<string, string> = {}) {
  fixture.route("/source", (_req, res) => res.writeHead(status, { "content-type": "application/json", ...headers }).end("{}"));
  const { user, workspace } = await createUser();
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: `Answers ${status}`,
    definition: { source: { type: "http", url: `${fixture.origin}/source` }, retry: { attempts: 3, backoffSeconds: 1 } },
  });
  return waitForRun((await triggerJob(job)).id, 30_000);
}

describe("which failures are retried", () => {
  it.each([
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "Not Found"],
  ])("a source answering %i fails at once: one request, one attempt, no queue retry", async (status, text) => {
    const run = await runAgainst(status);
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorStage: "extract", errorMessage: `${fixture.origin}/source answered HTTP ${status} ${text}.` });
    expect(fixture.requestsTo("/source")).toBe(1);
    expect((await runsQueue().getJob(run.id))?.attemptsMade).toBe(1);
    expect(await logMessages(run.id)).toEqual(["Attempt 1 of 3 started.", `extract failed: ${fixture.origin}/source answered HTTP ${status} ${text}.`]);
  });

  it("a source answering 429 is retried, by the source and then by the queue, until the attempts run out", async () => {
    const run = await runAgainst(429, { "retry-after": "0" });
    expect(run).toMatchObject({ status: "failed", attempt: 3, errorMessage: `${fixture.origin}/source answered HTTP 429 Too Many Requests.` });
    // Four tries per attempt, three attempts.
    expect(fixture.requestsTo("/source")).toBe(12);
    const log = await logMessages(run.id);
    expect(log.filter((m) => /^Attempt \d of 3 (started|failed)/.test(m))).toEqual([
      "Attempt 1 of 3 started.",
      "Attempt 1 of 3 failed; the run will be retried.",
      "Attempt 2 of 3 started.",
      "Attempt 2 of 3 failed; the run will be retried.",
      "Attempt 3 of 3 started.",
    ]);
  });

  it.each([
    ["no response", () => undefined],
    ["headers only", (res: ServerResponse) => void res.flushHeaders()],
    ["part of the body", (res: ServerResponse) => void res.writeHead(200, { "content-type": "application/json" }).write('{"data": [')],
  ])("a source that stalls (%s) is timed out by each try's timeoutMs, retried, then failed with the cause", async (_, stall) => {
    const open: ServerResponse[] = [];
    fixture.route("/stalls", (_req, res) => {
      open.push(res);
      stall(res);
    });
    const { user, workspace } = await createUser();
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Stalls",
      definition: { source: { type: "http", url: `${fixture.origin}/stalls`, timeoutMs: 300 }, retry: { attempts: 1, backoffSeconds: 1 } },
    });
    const run = await waitForRun((await triggerJob(job)).id, 30_000);
    for (const res of open) res.destroy();
    expect(run).toMatchObject({ status: "failed", errorStage: "extract", errorMessage: `Request to ${fixture.origin}/stalls failed: timed out after 300 ms.` });
    expect(fixture.requestsTo("/stalls")).toBe(4);
  });
});
