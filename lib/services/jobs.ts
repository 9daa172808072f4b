import "server-only";
import { db } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { getFile } from "@/lib/db/queries/files";
import { deleteIdleJob, getJob, getLastRun, insertJob, listJobs, updateJob, type BusyRun } from "@/lib/db/queries/jobs";
import { logger } from "@/lib/logger";
import { env } from "@/lib/env";
import { HttpError } from "@/lib/api/errors";
import { defaultWorkspace, workspacesWith, type Principal } from "@/lib/auth/principal";
import { runsQueue } from "@/lib/queue/runs-queue";
import { schedulesQueue, syncSchedule } from "@/lib/queue/schedules-queue";
import { QueueUnavailableError, startRun } from "@/lib/runs/start-run";
import type { JobSort, LastStatusFilter } from "@/lib/schemas/job-list";
import { incrementalModeProblem, type JobCreate, type JobDefinition, type JobUpdate } from "@/lib/schemas/jobs";
import { assertAccess } from "./access";
import { assertConnectionReferences } from "./connection-references";
import { assertReachableSource, assertReachableUrl } from "./outbound-rules";
import { recordAudit } from "./audit";
import { toJobDto, toRunDto } from "./dto";

export async function listJobsFor(
  principal: Principal,
  params: { q?: string; lastStatus?: LastStatusFilter; sort: JobSort; page: number; pageSize: number },
) {
  const { count, rows } = await listJobs(db, { workspaceIds: workspacesWith(principal, "jobs:read"), ...params });
  return { count, results: rows.map(({ job, lastRun }) => toJobDto(job, lastRun)) };
}

/** The job if the caller may act on it with `permission`; 404 or 403 otherwise. */
export async function loadJob(principal: Principal, id: string, permission: "jobs:read" | "jobs:write" | "runs:execute") {
  const job = await getJob(db, id);
  if (!job) throw new HttpError(404, "The job does not exist.");
  assertAccess(principal, job.workspaceId, permission, "job");
  return job;
}

export async function readJob(principal: Principal, id: string) {
  const job = await loadJob(principal, id, "jobs:read");
  return toJobDto(job, await getLastRun(db, job.id));
}

/**
 * A file source may only read an upload of the job's own workspace: checked when the job is saved
 * (422 with the field's path, worded like a bad connectionId) so that a run does not start just to
 * fail on a missing file. Another workspace's file is reported exactly like a missing one.
 */
async function assertFileReference(workspaceId: string, source: JobDefinition["source"]): Promise<void> {
  if (source.type !== "file") return;
  const file = await getFile(db, source.fileId);
  if (file?.workspaceId === workspaceId) return;
  throw new HttpError(422, "The request did not validate.", [
    { path: "source.fileId", message: "no uploaded file with this id in the job's workspace" },
  ]);
}

/** Every reference the definition makes to other rows: connections and uploaded files. */
async function assertReferences(workspaceId: string, definition: Pick<JobDefinition, "source" | "destination">): Promise<void> {
  await assertConnectionReferences(workspaceId, definition);
  await assertFileReference(workspaceId, definition.source);
}

/**
 * An incremental source loading in mode replace, refused on PATCH as jobCreateSchema refuses it on
 * POST. Checked when the PATCH changes the source or the destination: a job saved before this check
 * can still be renamed or have its schedule turned off.
 */
function assertIncrementalMode(patch: JobUpdate, definition: JobDefinition): void {
  if (patch.source === undefined && patch.destination === undefined) return;
  const problem = incrementalModeProblem(definition);
  if (problem) throw new HttpError(422, "The request did not validate.", [{ path: "destination.mode", message: problem }]);
}

function definitionOf(input: JobDefinition): JobDefinition {
  return {
    source: input.source,
    transform: input.transform,
    destination: input.destination,
    retry: input.retry,
    schedule: input.schedule,
    overlap: input.overlap,
    notify: input.notify,
  };
}

/**
 * Makes the job's scheduler match its schedule now. Should Redis be unreachable the saved job
 * still stands: a tick checks the job's current schedule before starting anything, and the
 * workers reconcile every scheduler with its job periodically, so the change lands once Redis is back.
 */
async function applySchedule(jobId: string, schedule: JobDefinition["schedule"]): Promise<void> {
  try {
    await syncSchedule(schedulesQueue(), jobId, schedule);
  } catch (error) {
    logger.warn({ err: error, jobId }, "could not update the job's scheduler; the workers' reconciliation will");
  }
}

export async function createJob(principal: Principal, input: JobCreate) {
  const workspaceId = input.workspaceId ?? defaultWorkspace(principal);
  if (!workspaceId) throw new HttpError(403, "You are not a member of any workspace.");
  assertAccess(principal, workspaceId, "jobs:write", "workspace");
  assertReachableSource(input.source);
  assertReachableUrl(input.notify?.webhookUrl, "notify.webhookUrl");
  await assertReferences(workspaceId, input);
  const job = await insertJob(db, {
    workspaceId,
    name: input.name,
    description: input.description ?? null,
    definition: definitionOf(input),
    createdBy: principal.userId,
  });
  await recordAudit(principal, {
    action: "job.create",
    target: { type: "job", id: job.id },
    workspaceId,
    details: { name: job.name, source: job.definition.source.type },
  });
  if (job.definition.schedule) await applySchedule(job.id, job.definition.schedule);
  return toJobDto(job, null);
}

export async function patchJob(principal: Principal, id: string, patch: JobUpdate) {
  const job = await loadJob(principal, id, "jobs:write");
  const { name, description, ...definitionPatch } = patch;
  const definition = definitionOf({ ...job.definition, ...stripUndefined(definitionPatch) } as JobDefinition);
  assertIncrementalMode(patch, definition);
  assertReachableSource(patch.source);
  assertReachableUrl(patch.notify?.webhookUrl, "notify.webhookUrl");
  await assertReferences(job.workspaceId, definition);
  const updated = await updateJob(db, id, { name, description, definition });
  if (!updated) throw new HttpError(404, "The job does not exist.");
  await recordAudit(principal, {
    action: "job.update",
    target: { type: "job", id },
    workspaceId: job.workspaceId,
    // Field names only: a definition can carry credentials in headers or query parameters.
    details: { name: updated.name, changed: Object.keys(stripUndefined(patch)).sort() },
  });
  if (patch.schedule !== undefined) await applySchedule(id, updated.definition.schedule);
  return toJobDto(updated, await getLastRun(db, id));
}

/** Ids of the runs workers are executing now; the queue knows, where the run's status may already be final. */
async function runsHeldByWorkers(): Promise<string[]> {
  try {
    const active = await runsQueue().getActive();
    // A queue job removed while the list is read comes back as undefined.
    return active.flatMap((queued) => (queued?.id ? [queued.id] : []));
  } catch (error) {
    logger.warn({ err: error }, "could not read the runs queue's active jobs");
    throw new HttpError(503, "The run queue (Redis) is unavailable; try again shortly.", undefined, { "retry-after": "5" });
  }
}

function busyRunConflict(run: BusyRun): HttpError {
  if (run.status === "pending" || run.status === "running") {
    return new HttpError(
      409,
      `Run ${run.id} of this job is ${run.status}; cancel it first (POST /api/v1/runs/${run.id}/cancel), then delete the job.`,
    );
  }
  return new HttpError(
    409,
    `Run ${run.id} of this job is ${run.status}, but its worker is still stopping it; try again in a few seconds.`,
    undefined,
    { "retry-after": "5" },
  );
}

/**
 * Deletes the job, its runs, its dataset table and its scheduler. Refused (409) while a run of it is
 * pending or running: deleting rows under a worker would leave it spending its slot on a run whose
 * results can go nowhere, and cancelling is the explicit, audited way to stop one.
 */
export async function removeJob(principal: Principal, id: string) {
  const job = await loadJob(principal, id, "jobs:write");
  const busy = await deleteIdleJob(db, job.id, {
    datasetTable: qualified(env.DATASET_SCHEMA, datasetTableName(job.id)),
    heldRunIds: await runsHeldByWorkers(),
  });
  if (busy) throw busyRunConflict(busy);
  if (job.definition.schedule) await applySchedule(job.id, null);
  await recordAudit(principal, {
    action: "job.delete",
    target: { type: "job", id: job.id },
    workspaceId: job.workspaceId,
    details: { name: job.name },
  });
}

/**
 * Starts a run with the job's definition as it is now. With an idempotency key, a repeated
 * request answers the run the first one created (`replayed`) instead of starting another; a job
 * that skips overlapping runs answers 409 while one of its runs is pending or running.
 */
export async function triggerRun(principal: Principal, id: string, trigger: "manual" | "api", idempotencyKey?: string) {
  const job = await loadJob(principal, id, "runs:execute");
  let started;
  try {
    started = await startRun(job, trigger, { idempotencyKey });
  } catch (error) {
    if (!(error instanceof QueueUnavailableError)) throw error;
    throw new HttpError(503, "The run queue (Redis) is unavailable; try again shortly.", undefined, { "retry-after": "5" });
  }
  if (started.kind === "busy") {
    throw new HttpError(
      409,
      `Run ${started.run.id} of this job is still ${started.run.status}, and the job's overlap policy is "skip"; try again when it has finished.`,
    );
  }
  if (started.kind === "created") {
    await recordAudit(principal, {
      action: "run.trigger",
      target: { type: "run", id: started.run.id },
      workspaceId: job.workspaceId,
      details: { jobId: job.id, jobName: job.name, trigger },
    });
  }
  return { run: toRunDto(started.run), replayed: started.kind === "existing" };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
