import { describe, expect, it } from "vitest";
import { datasetSchemaTables } from "../db";
import { logMessages, triggerJob } from "../integration/jobs";
import { datasetIds, faultScenario, jobReading, range, slowPages, waitFor, waitForFinished } from "./scenario";
import type { WorkerProcess } from "./workers";

const scenario = faultScenario();
const { worker } = scenario;

/** Two workers started at once; `holder` tells which of them claimed the run, and the other. */
async function twoWorkers() {
  const [a, b] = await Promise.all([worker("a"), worker("b")]);
  return {
    async holder(runId: string): Promise<[WorkerProcess, WorkerProcess]> {
      const holder = await waitFor("a worker to claim the run", async () => (a.claimed(runId) ? a : b.claimed(runId) ? b : undefined));
      return holder === a ? [a, b] : [b, a];
    },
  };
}

describe("workers killed again and again", () => {
  it("fail the run once it has stalled past WORKER_MAX_STALLED_COUNT, leaving the dataset as it was", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 2, perPage: 10, delayMs: 10 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const { holder } = await twoWorkers();
    const previous = await waitForFinished((await triggerJob(job)).id);
    expect(previous.status).toBe("success");

    slowPages(scenario.fixture, "/slow", { pages: 30, perPage: 10, delayMs: 150 });
    const run = await triggerJob(job);
    const [firstHolder, other] = await holder(run.id);
    await waitFor("the load to be under way", async () => (await logMessages(run.id)).length >= 3);
    await firstHolder.crash();
    // The other worker takes the run over (its first stall), and is killed in turn (the second).
    await waitFor("the other worker to take the run over", async () => other.claimed(run.id), 20_000);
    await other.crash();
    const third = await worker("c");

    const failed = await waitForFinished(run.id);
    expect(failed).toMatchObject({
      status: "failed",
      errorMessage:
        "The workers executing this run stopped responding 2 times (crashed, killed or paused past their queue lock); the run was given up.",
    });
    expect(third.claimed(run.id)).toBe(false);
    const { ids, runIds } = await datasetIds(job.id);
    expect(ids).toEqual(range(1, 20));
    expect(runIds).toEqual([previous.id]);
    await waitFor("the abandoned staging tables to be swept", async () => (await datasetSchemaTables()).length === 1);
  });
});

describe("a worker paused (SIGSTOP) past its lock, then resumed", () => {
  it("cannot commit after the attempt that took over: one load, exactly the right rows", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 20, perPage: 10, delayMs: 100 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const { holder } = await twoWorkers();
    const run = await triggerJob(job);
    const [paused, other] = await holder(run.id);
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    paused.signal("SIGSTOP");

    const finished = await waitForFinished(run.id);
    expect(finished).toMatchObject({ status: "success", rowsLoaded: 200 });
    expect(other.claimed(run.id)).toBe(true);
    paused.signal("SIGCONT");
    const superseded =
      "Attempt 1 no longer holds the run: a newer attempt took it over (this worker was paused or too slow to keep its queue lock) or it was ended. Its work was discarded.";
    await waitFor("the resumed attempt to give up", async () => (await logMessages(run.id)).includes(superseded), 20_000);

    const { ids, runIds } = await datasetIds(job.id);
    expect(ids).toEqual(range(1, 200));
    expect(runIds).toEqual([run.id]);
    const log = await logMessages(run.id);
    expect(log.filter((m) => m === "Attempt 1 of 3 started.")).toHaveLength(2);
    expect(log.filter((m) => m.startsWith("Loaded "))).toEqual(["Loaded 200 rows into the dataset (3 columns)."]);
    expect(log.filter((m) => m === superseded)).toHaveLength(1);
    // The resumed worker is still alive and the run stayed as the other worker left it.
    expect(paused.alive).toBe(true);
    expect(await waitForFinished(run.id)).toMatchObject({ status: "success", rowsLoaded: 200, finishedAt: finished.finishedAt });
  });
});

describe("a worker killed with SIGKILL mid-load", () => {
  it("has its run taken over by another worker, which loads exactly the right rows once", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 20, perPage: 10, delayMs: 100 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const { holder } = await twoWorkers();
    const run = await triggerJob(job);
    const [killed, other] = await holder(run.id);
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    await killed.crash();
    const killedAt = Date.now();

    const finished = await waitForFinished(run.id);
    expect(finished).toMatchObject({ status: "success", attempt: 1, rowsExtracted: 200, rowsLoaded: 200, errorMessage: null });
    expect(other.claimed(run.id)).toBe(true);
    const { ids, runIds } = await datasetIds(job.id);
    expect(ids).toEqual(range(1, 200));
    expect(runIds).toEqual([run.id]);
    const log = await logMessages(run.id);
    expect(log.filter((m) => m === "Attempt 1 of 3 started.")).toHaveLength(2);
    expect(log).toContain("The worker executing this attempt stopped responding (crash or lost queue lock); starting the attempt again.");
    // Taken over within lock duration (3 s) + stalled interval (1 s), then loaded again (~2 s).
    expect(finished.finishedAt!.getTime() - killedAt).toBeLessThan(15_000);
    // The killed attempt's staging table was dropped by the attempt that took over.
    expect(await datasetSchemaTables()).toHaveLength(1);
  });
});
