import type { Job } from "bullmq";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db/client";
import { beatHeart, claimRun, failAttempt, setAttemptProgress } from "@/lib/db/queries/run-attempts";
import { getRun, insertRun } from "@/lib/db/queries/runs";
import { runLogs, runs } from "@/lib/db/schema";
import { executeRun } from "@/lib/etl/run";
import { enqueueRun, runsQueue, type RunJobPayload } from "@/lib/queue/runs-queue";
import { reconcileStuckRuns } from "@/lib/runs/reconcile-runs";
import { pruneRunHistory } from "@/lib/runs/retention";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as cancelRoute } from "@/app/api/v1/runs/[id]/cancel/route";
import { failRunOfAbandonedJob, processRun } from "@/worker/process-run";
import { apiToken, call, expectProblem } from "../api";
import { createUser, datasetSchemaTables, resetDatabase, resetQueue } from "../db";
import { createMysqlDatabase, createPostgresDatabase, saveConnection, type ExternalMysql, type ExternalPostgres } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { claimed, startRunsWorker, waitForRun, waitUntil } from "../worker";
import { createJob, httpJobOf, logMessages } from "./jobs";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>> | undefined;

beforeAll(async () => {
  fixture = await startFixtureServer();
});
afterAll(async () => {
  await fixture?.close();
});
beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});


const trigger = (jobId: string, token: string, key?: string) =>
  call(triggerRoute, { method: "POST", path: "/", params: { id: jobId }, token, headers: key ? { "idempotency-key": key } : {} });


describe("Idempotency-Key on POST /api/v1/jobs/{id}/runs", () => {
  it("creates one run per key: a repeat answers the same run, 202, marked as replayed", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/none`);
    const first = await trigger(job.id, token, "nightly-2026-01-01");
    expect(first.status).toBe(202);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await trigger(job.id, token, "nightly-2026-01-01");
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/api/v1/runs/${first.body.id}`);
    expect(again.body.id).toBe(first.body.id);

    const other = await trigger(job.id, token, "nightly-2026-01-02");
    expect(other.body.id).not.toBe(first.body.id);
    const unkeyed = await trigger(job.id, token);
    expect(new Set([first.body.id, other.body.id, unkeyed.body.id]).size).toBe(3);
    expect(await db.select({ key: runs.idempotencyKey }).from(runs).where(eq(runs.jobId, job.id)).orderBy(runs.createdAt)).toEqual([
      { key: "nightly-2026-01-01" },
      { key: "nightly-2026-01-02" },
      { key: null },
    ]);
    expect(await runsQueue().getJobState(first.body.id)).toBe("waiting");
  });

  it("creates one run when the same key arrives many times at once", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/none`);
    const answers = await Promise.all(Array.from({ length: 6 }, () => trigger(job.id, token, "burst")));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(5);
    expect(await db.select().from(runs).where(eq(runs.jobId, job.id))).toHaveLength(1);
  });

  it("refuses a key that is not 1 to 255 visible ASCII characters", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/none`);
    const problem = expectProblem(await trigger(job.id, token, "x".repeat(256)), 422);
    expect(problem.errors).toEqual([{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters, e.g. a UUID" }]);
    expect(await db.select().from(runs).where(eq(runs.jobId, job.id))).toEqual([]);
  });
});

describe("overlap policy", () => {
  it('skip: a trigger while a run is pending or running answers 409 and records nothing', async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/none`, { overlap: "skip" });
    const first = await trigger(job.id, token, "first");
    expect(first.status).toBe(202);
    const refused = expectProblem(await trigger(job.id, token), 409);
    expect(refused.detail).toBe(`Run ${first.body.id} of this job is still pending, and the job's overlap policy is "skip"; try again when it has finished.`);
    expectProblem(await trigger(job.id, token, "second"), 409);
    // A repeat of the first request is still answered with its run, not refused.
    const replay = await trigger(job.id, token, "first");
    expect([replay.status, replay.body.id, replay.headers.get("idempotent-replayed")]).toEqual([202, first.body.id, "true"]);
    expect(await db.select({ id: runs.id }).from(runs).where(eq(runs.jobId, job.id))).toEqual([{ id: first.body.id }]);

    // Once it has finished, the next trigger starts a run.
    await call(cancelRoute, { method: "POST", path: "/", params: { id: first.body.id }, token });
    expect((await trigger(job.id, token)).status).toBe(202);
  });

  it("queue: runs of one job execute one after another, the later one waiting for the earlier", async () => {
    fixture.slow("/slow", 6, 100);
    const { job, token } = await httpJobOf(`${fixture.origin}/slow`);
    worker = await startRunsWorker(2);
    const first = (await trigger(job.id, token)).body.id as string;
    await waitUntil("the first run to start", async () => (await getRun(db, first))?.status === "running");
    const second = (await trigger(job.id, token)).body.id as string;
    const [a, b] = [await waitForRun(first), await waitForRun(second)];
    expect([a.status, b.status]).toEqual(["success", "success"]);
    expect(b.startedAt!.getTime()).toBeGreaterThanOrEqual(a.finishedAt!.getTime());
    expect((await logMessages(second)).filter((m) => m.startsWith("Waiting for run"))).toEqual([
      `Waiting for run ${first} of this job to finish: runs of a job execute one after another.`,
    ]);
    // Waiting did not count as an attempt.
    expect(b.attempt).toBe(1);
  });
});

describe("fencing", () => {
  it("an attempt whose run was claimed again can no longer record progress, fail it or keep its heartbeat", async () => {
    const { job } = await httpJobOf(`${fixture.origin}/none`, { retry: { attempts: 3, backoffSeconds: 1 } });
    const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
    const stale = await claimed(run.id, 1, 3);
    const current = await claimRun(db, run.id, 1);
    expect(current).toMatchObject({ kind: "claimed", resumed: true });

    await setAttemptProgress(db, run.id, stale.fence, { rowsRead: 99, rowsLoaded: 99, stage: "load" });
    expect(await failAttempt(db, run.id, stale.fence, { stage: "load", message: "late", final: true })).toBe(false);
    expect(await beatHeart(db, run.id, stale.fence)).toBe(false);
    expect(await beatHeart(db, run.id, (current as { fence: string }).fence)).toBe(true);
    expect(await getRun(db, run.id)).toMatchObject({ status: "running", rowsExtracted: 0, errorMessage: null });
    expect(await executeRun(run.id, stale)).toEqual({ kind: "superseded" });
  });

  it("an attempt that loses the run while loading does not commit, even at its last page", async () => {
    const { job } = await httpJobOf(`${fixture.origin}/handover`);
    const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
    const first = await claimed(run.id, 1, 1);
    let takeover: Awaited<ReturnType<typeof claimRun>> | undefined;
    fixture.route("/handover", (_req, res, url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      if (page < 3) return sendJson(res, 200, { data: { items: [{ id: page }] }, links: { next: `${fixture.origin}/handover?page=${page + 1}` } });
      // Another worker takes the run over just before the attempt receives its last page and commits.
      void claimRun(db, run.id, 1).then((claim) => {
        takeover = claim;
        sendJson(res, 200, { data: { items: [{ id: page }] }, links: { next: null } });
      });
    });
    expect(await executeRun(run.id, first)).toEqual({ kind: "superseded" });
    expect(takeover).toMatchObject({ kind: "claimed", resumed: true });
    expect(await getRun(db, run.id)).toMatchObject({ status: "running", fence: (takeover as { fence: string }).fence, rowsLoaded: 0 });
    expect(await datasetSchemaTables()).toEqual([]);
    expect((await logMessages(run.id)).at(-1)).toBe(
      "Attempt 1 no longer holds the run: a newer attempt took it over (this worker was paused or too slow to keep its queue lock) or it was ended. Its work was discarded.",
    );
  });
});

describe("cancel", () => {
  it("a cancelled run is never executed again, whatever redelivers its queue job", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/none`);
    const run = (await trigger(job.id, token)).body.id as string;
    expect((await call(cancelRoute, { method: "POST", path: "/", params: { id: run }, token })).body.status).toBe("cancelled");
    expect(await runsQueue().getJob(run)).toBeUndefined();
    const redelivered = { data: { runId: run }, attemptsMade: 0, opts: { attempts: 1 } } as unknown as Job<RunJobPayload>;
    expect(await processRun(redelivered)).toEqual({ cancelled: true });
    expect(await getRun(db, run)).toMatchObject({ status: "cancelled", attempt: 0, startedAt: null });
    expect(await logMessages(run)).toEqual([expect.stringMatching(/^Run cancelled by \S+@\S+ before it started; nothing was loaded\.$/)]);
  });

  it("a run waiting to retry says so when cancelled, and keeps no failure as its outcome", async () => {
    fixture.route("/down", (_req, res) => sendJson(res, 503, { error: "down" }));
    const { job, token } = await httpJobOf(`${fixture.origin}/down`, { retry: { attempts: 2, backoffSeconds: 60 } });
    worker = await startRunsWorker();
    const run = (await trigger(job.id, token)).body.id as string;
    await waitUntil("the first attempt to fail", async () => (await getRun(db, run))?.attempt === 1 && (await getRun(db, run))?.status === "pending", 30_000);
    expect((await call(cancelRoute, { method: "POST", path: "/", params: { id: run }, token })).body.status).toBe("cancelled");
    expect(await getRun(db, run)).toMatchObject({ status: "cancelled", errorMessage: null, errorStage: null });
    const lines = await logMessages(run);
    expect(lines).toContain("Attempt 1 of 2 failed; the run will be retried.");
    expect(lines.at(-1)).toMatch(/^Run cancelled by \S+@\S+ while waiting to retry after attempt 1 of 2 failed; nothing was loaded\.$/);
  }, 40_000);

  describe.each(["postgres", "mysql"] as const)("a running run into a %s table", (type) => {
    let pg: ExternalPostgres | undefined;
    let maria: ExternalMysql | undefined;
    beforeAll(async () => {
      if (type === "postgres") pg = await createPostgresDatabase("cancel");
      else maria = await createMysqlDatabase("cancel", "cancel-Secret-77");
    });
    afterAll(async () => {
      await pg?.drop();
      await maria?.drop();
    });

    it("stops within seconds and leaves the table as it was", async () => {
      const exec = (statement: string) => (pg ? pg.sql.unsafe(statement) : maria!.conn.query(statement));
      await exec("DROP TABLE IF EXISTS kept");
      await exec("CREATE TABLE kept (id BIGINT PRIMARY KEY, label VARCHAR(20))");
      await exec("INSERT INTO kept VALUES (7, 'before')");
      fixture.slow("/slow", 60, 100);
      const { user, workspace } = await createUser();
      const connection = await saveConnection({
        workspaceId: workspace.id,
        userId: user.id,
        name: type,
        config: pg ? pg.config : maria!.config,
        secret: maria ? "cancel-Secret-77" : undefined,
      });
      const job = await createJob({
        workspaceId: workspace.id,
        userId: user.id,
        name: "Into a table",
        definition: {
          source: { type: "http", url: `${fixture.origin}/slow`, recordsPath: "data.items", pagination: { type: "next_url", nextUrlPath: "links.next" } },
          destination: { type, connectionId: connection.id, table: "kept", mode: "replace" },
          retry: { attempts: 1, backoffSeconds: 1 },
        },
      });
      const token = await apiToken(user.id);
      worker = await startRunsWorker();
      const run = (await trigger(job.id, token)).body.id as string;
      await waitUntil("the load to be under way", async () => fixture.requestsTo("/slow") >= 3);
      const cancelledAt = Date.now();
      await call(cancelRoute, { method: "POST", path: "/", params: { id: run }, token });
      const requestsAtCancel = fixture.requestsTo("/slow");

      const finished = await waitForRun(run);
      expect(finished.status).toBe("cancelled");
      expect((await logMessages(run)).at(-1)).toBe("Run cancelled; the dataset was left unchanged.");
      // It stopped reading within a couple of poll intervals.
      expect(fixture.requestsTo("/slow") - requestsAtCancel).toBeLessThanOrEqual(25);
      expect(Date.now() - cancelledAt).toBeLessThan(5000);
      const rows = pg
        ? await pg.sql.unsafe("SELECT id::int AS id, label FROM kept ORDER BY id")
        : ((await maria!.conn.query("SELECT CAST(id AS SIGNED) AS id, label FROM kept ORDER BY id"))[0] as unknown[]);
      expect(rows.map((r) => ({ ...(r as object) }))).toEqual([{ id: 7, label: "before" }]);
    });
  });
});

describe("runs nothing will finish", () => {
  async function runIn(state: { status: "pending" | "running"; heartbeatAgoMs: number | null; createdAgoMs: number; enqueued?: boolean }) {
    const { job } = await httpJobOf(`${fixture.origin}/none`);
    const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
    await db
      .update(runs)
      .set({
        status: state.status,
        createdAt: new Date(Date.now() - state.createdAgoMs),
        heartbeatAt: state.heartbeatAgoMs === null ? null : new Date(Date.now() - state.heartbeatAgoMs),
        progress: state.status === "running" ? { rowsRead: 5, rowsLoaded: 5, stage: "load" } : null,
      })
      .where(eq(runs.id, run.id));
    if (state.enqueued) await enqueueRun(run.id, job.definition.retry);
    return run.id;
  }

  it("fails running and pending runs whose queue job vanished, with the reason, and leaves the others alone", async () => {
    const ten = 10 * 60_000;
    const vanishedRunning = await runIn({ status: "running", heartbeatAgoMs: ten, createdAgoMs: ten });
    const vanishedPending = await runIn({ status: "pending", heartbeatAgoMs: null, createdAgoMs: ten });
    const alive = await runIn({ status: "running", heartbeatAgoMs: 1000, createdAgoMs: ten });
    const waiting = await runIn({ status: "running", heartbeatAgoMs: ten, createdAgoMs: ten, enqueued: true });
    const fresh = await runIn({ status: "pending", heartbeatAgoMs: null, createdAgoMs: 1000 });

    expect((await reconcileStuckRuns(runsQueue())).sort()).toEqual([vanishedRunning, vanishedPending].sort());
    expect(await getRun(db, vanishedRunning)).toMatchObject({
      status: "failed",
      errorStage: "load",
      errorMessage:
        "The run's queue entry vanished while it was running (Redis lost its data: a restart without persistence, a flush or an eviction), so no worker would ever finish it. Trigger the job again.",
    });
    expect(await getRun(db, vanishedPending)).toMatchObject({ status: "failed", errorStage: "extract" });
    expect(await logMessages(vanishedPending)).toEqual([
      "The run's queue entry vanished while it was pending (Redis lost its data: a restart without persistence, a flush or an eviction), so no worker would ever finish it. Trigger the job again.",
    ]);
    for (const id of [alive, waiting]) expect((await getRun(db, id))?.status).toBe("running");
    expect((await getRun(db, fresh))?.status).toBe("pending");
    expect(await reconcileStuckRuns(runsQueue())).toEqual([]);
  });

  it("fails a run whose queue job BullMQ gave up after too many stalls", async () => {
    const id = await runIn({ status: "running", heartbeatAgoMs: 5000, createdAgoMs: 60_000 });
    const job = { data: { runId: id } } as Job<RunJobPayload>;
    await failRunOfAbandonedJob(job, new Error("some other failure"));
    expect((await getRun(db, id))?.status).toBe("running");
    await failRunOfAbandonedJob(job, new Error("job stalled more than allowable limit"));
    const message = "The workers executing this run stopped responding 3 times (crashed, killed or paused past their queue lock); the run was given up.";
    expect(await getRun(db, id)).toMatchObject({ status: "failed", errorStage: "load", errorMessage: message });
    expect(await logMessages(id)).toEqual([message]);
  });
});

describe("retention", () => {
  it("prunes old log lines and old finished runs, keeping each job's latest loaded run", async () => {
    const { job } = await httpJobOf(`${fixture.origin}/none`);
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
    const make = async (status: "success" | "failed" | "running", finishedDaysAgo: number | null) => {
      const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
      await db
        .update(runs)
        .set({ status, createdAt: at(120), finishedAt: finishedDaysAgo === null ? null : at(finishedDaysAgo) })
        .where(eq(runs.id, run.id));
      return run.id;
    };
    const oldSuccess = await make("success", 100);
    const oldFailed = await make("failed", 95);
    const oldButCurrent = await make("success", 91);
    const recent = await make("failed", 10);
    const stillRunning = await make("running", null);
    await sql`INSERT INTO datasets (job_id, workspace_id, table_name, columns, last_run_id) VALUES (${job.id}, ${job.workspaceId}, 't', '[]', ${oldButCurrent})`;
    for (const [runId, daysAgo] of [[recent, 40], [recent, 29], [stillRunning, 31], [oldButCurrent, 1]] as const) {
      await db.insert(runLogs).values({ runId, level: "info", message: `${daysAgo} days ago`, ts: at(daysAgo) });
    }

    expect(await pruneRunHistory()).toEqual({ runLogs: 2, runs: 2 });
    const left = await db.select({ id: runs.id }).from(runs).where(eq(runs.jobId, job.id));
    expect(left.map((r) => r.id).sort()).toEqual([oldButCurrent, recent, stillRunning].sort());
    expect(await getRun(db, oldSuccess)).toBeUndefined();
    expect(await getRun(db, oldFailed)).toBeUndefined();
    expect(await logMessages(recent)).toEqual(["29 days ago"]);
    expect(await logMessages(oldButCurrent)).toEqual(["1 days ago"]);
    expect(await pruneRunHistory()).toEqual({ runLogs: 0, runs: 0 });
  });
});
