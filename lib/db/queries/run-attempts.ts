import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, ne, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { runs, type RunProgress } from "@/lib/db/schema";
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
  await tx.execute(dsql`SELECT pg_advisory_xact_lock(hashtext('dataflowhub:job-runs'), hashtext(${jobId}))`);
}

/**
 * Claims a run for an attempt: moves it to `running` under a fresh fence, unless it has finished
 * (a cancelled run is never resurrected by a redelivered queue job) or another run of its job is
 * running (runs of one job execute one after another). Claiming a run that is already `running`
 * takes it over from a worker that lost it: that worker's fence no longer matches, so it can
 * neither record progress nor commit.
 */
export async function claimRun(db: Db, runId: string, attempt: number): Promise<Claim> {
  const [found] = await db.select({ jobId: runs.jobId }).from(runs).where(eq(runs.id, runId));
  if (!found) return { kind: "missing" };
  return db.transaction(async (tx) => {
    await lockJobRuns(tx, found.jobId);
    const [run] = await tx.select({ status: runs.status }).from(runs).where(eq(runs.id, runId)).for("update");
    if (!run) return { kind: "missing" };
    if (run.status !== "pending" && run.status !== "running") return { kind: "finished", status: run.status };
    const [other] = await tx
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.jobId, found.jobId), eq(runs.status, "running"), ne(runs.id, runId)))
      .limit(1);
    if (other) return { kind: "busy", jobId: found.jobId, blockingRunId: other.id };
    const fence = randomUUID();
    await tx
      .update(runs)
      .set({
        status: "running",
        attempt,
        fence,
        heartbeatAt: new Date(),
        startedAt: new Date(),
        finishedAt: null,
        errorStage: null,
        errorMessage: null,
        rowsExtracted: 0,
        rowsLoaded: 0,
        progress: { rowsRead: 0, rowsLoaded: 0, stage: "extract" },
      })
      .where(eq(runs.id, runId));
    return { kind: "claimed", fence, jobId: found.jobId, resumed: run.status === "running" };
  });
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
  failure: { stage: RunStage; message: string; final: boolean },
): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({
      status: failure.final ? "failed" : "pending",
      finishedAt: failure.final ? new Date() : null,
      errorStage: failure.stage,
      errorMessage: failure.message,
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
    const [run] = await tx.insert(runs).values(values).returning();
    return { kind: "created", run: run! };
  });
}
