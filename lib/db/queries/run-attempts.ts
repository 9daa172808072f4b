import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { jobs, runs, type RunProgress } from "@/lib/db/schema";
import type { JobDefinition } from "@/lib/schemas/jobs";
import type { RunStage, RunStatus } from "@/lib/schemas/runs";
import type { RunRow } from "./runs";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Claim =
  | { kind: "claimed"; fence: string; jobId: string; /** The run was `running`: a previous worker of it stopped responding. */ resumed: boolean }
  | { kind: "busy"; jobId: string; blockingRunId: string }
  | { kind: "finished"; status: RunStatus }
  | { kind: "missing" };

/**
 * Serializes what decides, per job, whether a run may start or be created: claims (one running
 * run per job) and overlap-checked triggers. A pair of keys keeps it apart from the per-job
 * dataset lock the commit takes (`pg_advisory_xact_lock(hashtext(jobId))`).
 */
export async function lockJobRuns(tx: Tx, jobId: string): Promise<void> {
  // Prepared: one round trip where an unnamed statement takes two.
  await tx
    .select({ locked: dsql`pg_advisory_xact_lock(hashtext('dataflowhub:job-runs'), hashtext(${jobs.id}::text))` })
    .from(jobs)
    .where(eq(jobs.id, jobId))
    .prepare("lock_job_runs")
    .execute();
}

/**
 * Claims a run for an attempt: moves it to `running` under a fresh fence, unless it has finished
 * (a cancelled run is never resurrected by a redelivered queue job) or another run of its job is
 * running (runs of one job execute one after another). Claiming a run that is already `running`
 * takes it over from a worker that lost it: that worker's fence no longer matches, so it can
 * neither record progress nor commit. A run's start stays its first attempt's: its duration is the
 * time the user waited for it, retries and their backoff included.
 */
export async function claimRun(db: Db, runId: string, attempt: number): Promise<Claim> {
  const fence = randomUUID();
  const startedAt = new Date().toISOString();
  type Row = { jobId: string; status: RunStatus; blockingRunId: string | null; claimed: boolean };
  // A run waits in the queue for this: two round trips after BEGIN, where each one can cost
  // milliseconds on a busy machine. The lock and the claim are sent together; PostgreSQL runs the
  // claim once it holds the lock, with a snapshot taken then, so claims and overlap-checked
  // triggers of one job still happen one at a time.
  const [row] = await db.$client.begin(async (tx) => {
    const [, claim] = await Promise.all([
      tx`SELECT pg_advisory_xact_lock(hashtext('dataflowhub:job-runs'), hashtext(job_id::text)) FROM runs WHERE id = ${runId}::uuid`,
      tx<Row[]>`
        WITH run AS (SELECT id, job_id, status FROM runs WHERE id = ${runId}::uuid FOR UPDATE),
        blocking AS (
          SELECT other.id FROM runs other JOIN run ON other.job_id = run.job_id
          WHERE other.status = 'running' AND other.id <> run.id LIMIT 1),
        claimed AS (
          UPDATE runs SET status = 'running', attempt = ${attempt}, fence = ${fence}::uuid,
            heartbeat_at = ${startedAt}::timestamptz, started_at = COALESCE(runs.started_at, ${startedAt}::timestamptz), finished_at = NULL,
            error_stage = NULL, error_message = NULL, rows_extracted = 0, rows_loaded = 0,
            progress = '{"rowsRead": 0, "rowsLoaded": 0, "stage": "extract"}'::jsonb
          FROM run WHERE runs.id = run.id AND run.status IN ('pending', 'running') AND NOT EXISTS (SELECT 1 FROM blocking)
          RETURNING runs.id)
        SELECT run.job_id AS "jobId", run.status, (SELECT id FROM blocking) AS "blockingRunId", EXISTS (SELECT 1 FROM claimed) AS claimed
        FROM run`,
    ]);
    return claim;
  });
  if (!row) return { kind: "missing" };
  if (row.status !== "pending" && row.status !== "running") return { kind: "finished", status: row.status };
  if (!row.claimed) return { kind: "busy", jobId: row.jobId, blockingRunId: row.blockingRunId! };
  return { kind: "claimed", fence, jobId: row.jobId, resumed: row.status === "running" };
}

const heldBy = (runId: string, fence: string) => and(eq(runs.id, runId), eq(runs.fence, fence), eq(runs.status, "running"));

/** Tells the reconciler a live worker is executing the run; false once the attempt lost its fence or the run ended. */
export async function beatHeart(db: Db, runId: string, fence: string): Promise<boolean> {
  const rows = await db.update(runs).set({ heartbeatAt: new Date() }).where(heldBy(runId, fence)).returning({ id: runs.id });
  return rows.length > 0;
}

export async function setAttemptProgress(db: Db, runId: string, fence: string, progress: RunProgress): Promise<void> {
  await db.update(runs).set({ progress, rowsExtracted: progress.rowsRead }).where(heldBy(runId, fence));
}

/**
 * Records an attempt's failure, if the attempt still holds the run. A failure with attempts left
 * puts the run back to `pending` until the queue's backoff starts the next attempt.
 */
export async function failAttempt(
  db: Db,
  runId: string,
  fence: string,
  failure: { stage: RunStage; message: string; final: boolean; rowsRead?: number },
): Promise<boolean> {
  // How far the attempt got, when it knows: the rows it read, none of them loaded (the load rolled back).
  const { rowsRead, stage } = failure;
  const reached = rowsRead === undefined ? {} : { rowsExtracted: rowsRead, progress: { rowsRead, rowsLoaded: 0, stage } };
  const rows = await db
    .update(runs)
    .set({
      status: failure.final ? "failed" : "pending",
      finishedAt: failure.final ? new Date() : null,
      errorStage: failure.stage,
      errorMessage: failure.message,
      ...reached,
    })
    .where(heldBy(runId, fence))
    .returning({ id: runs.id });
  return rows.length > 0;
}

/** Gives a stopped attempt's run back to the queue (worker shutdown): `pending` again, nothing recorded against it. */
export async function releaseAttempt(db: Db, runId: string, fence: string): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ status: "pending", progress: null })
    .where(heldBy(runId, fence))
    .returning({ id: runs.id });
  return rows.length > 0;
}

/** Fails a run that is not finished, whoever holds it (reconciler, a queue job that gave up); false if it had finished. */
export async function failUnfinishedRun(db: Db, runId: string, failure: { stage: RunStage; message: string }): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ status: "failed", finishedAt: new Date(), errorStage: failure.stage, errorMessage: failure.message })
    .where(and(eq(runs.id, runId), inArray(runs.status, ["pending", "running"])))
    .returning({ id: runs.id });
  return rows.length > 0;
}

export type NewRun = {
  jobId: string;
  workspaceId: string;
  trigger: RunRow["trigger"];
  definition: JobDefinition;
  idempotencyKey?: string;
  scheduledFor?: Date;
};

export type Insertion =
  | { kind: "created"; run: RunRow }
  /** A run with the same idempotency key or schedule tick exists: it is the answer, nothing new is recorded. */
  | { kind: "existing"; run: RunRow }
  /** The job's overlap policy is `skip` and this run of it is still pending or running. */
  | { kind: "busy"; run: RunRow };

/**
 * Records a pending run unless the request or tick already created one, or the job's overlap
 * policy skips it. Serialized per job with claims, so two triggers can never both see "nothing
 * running" and both start.
 */
export async function insertRunOnce(db: Db, values: NewRun): Promise<Insertion> {
  return db.transaction(async (tx) => {
    await lockJobRuns(tx, values.jobId);
    const same = values.idempotencyKey
      ? eq(runs.idempotencyKey, values.idempotencyKey)
      : values.scheduledFor
        ? eq(runs.scheduledFor, values.scheduledFor)
        : undefined;
    if (same) {
      const [existing] = await tx.select().from(runs).where(and(eq(runs.jobId, values.jobId), same)).limit(1);
      if (existing) return { kind: "existing", run: existing };
    }
    if (values.definition.overlap === "skip") {
      const [active] = await tx
        .select()
        .from(runs)
        .where(and(eq(runs.jobId, values.jobId), inArray(runs.status, ["pending", "running"])))
        .orderBy(runs.createdAt)
        .limit(1);
      if (active) return { kind: "busy", run: active };
    }
    // Prepared: one round trip where an unnamed statement takes two; a run's time in the queue starts with this transaction.
    const [run] = await tx.insert(runs).values(values).returning().prepare("insert_run").execute();
    return { kind: "created", run: run! };
  });
}
