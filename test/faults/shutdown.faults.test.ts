import { describe, expect, it } from "vitest";
import { logMessages, triggerJob } from "../integration/jobs";
import { datasetIds, faultScenario, jobReading, range, slowPages, waitFor, waitForFinished } from "./scenario";

const scenario = faultScenario();

describe("SIGTERM while a run is loading", () => {
  it("finishes the run within the grace period, then exits 0", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 20, perPage: 10, delayMs: 100 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const worker = await scenario.worker("graceful", { WORKER_SHUTDOWN_GRACE_MS: "15000" });
    const run = await triggerJob(job);
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    const signalled = Date.now();
    worker.signal("SIGTERM");

    const exit = await worker.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    const finished = await waitForFinished(run.id, 1000);
    expect(finished).toMatchObject({ status: "success", attempt: 1, rowsLoaded: 200 });
    // It waited for the run, and no longer than the run needed.
    expect(exit.at).toBeGreaterThanOrEqual(finished.finishedAt!.getTime());
    expect(exit.at - signalled).toBeLessThan(10_000);
    expect((await datasetIds(job.id)).ids).toEqual(range(1, 200));
    expect(worker.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down: finishing active runs", "worker stopped"]));
  });

  it("hands a run that outlasts the grace period back to the queue, where another worker completes it", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 30, perPage: 10, delayMs: 150 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const [a, b] = await Promise.all([
      scenario.worker("a", { WORKER_SHUTDOWN_GRACE_MS: "1000" }),
      scenario.worker("b", { WORKER_SHUTDOWN_GRACE_MS: "1000" }),
    ]);
    const run = await triggerJob(job);
    const holder = await waitFor("a worker to claim the run", async () => (a.claimed(run.id) ? a : b.claimed(run.id) ? b : undefined));
    const other = holder === a ? b : a;
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    const signalled = Date.now();
    holder.signal("SIGTERM");

    const exit = await holder.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    // Grace (1 s) plus stopping the attempt and closing connections.
    expect(exit.at - signalled).toBeLessThan(6_000);
    const finished = await waitForFinished(run.id);
    expect(finished).toMatchObject({ status: "success", attempt: 1, rowsLoaded: 300 });
    expect(other.claimed(run.id)).toBe(true);
    expect((await datasetIds(job.id)).ids).toEqual(range(1, 300));
    const log = await logMessages(run.id);
    expect(log).toContain("The worker is shutting down: attempt 1 was stopped before it loaded anything and handed back to the queue.");
    // Handed back, not taken over as stalled: the next attempt does not report a dead worker.
    expect(log.filter((m) => m.includes("stopped responding"))).toEqual([]);
    expect(log.filter((m) => m === "Attempt 1 of 3 started.")).toHaveLength(2);
  });
});
