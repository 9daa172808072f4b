import "server-only";
import type { jobs } from "@/lib/db/schema";
import type { RunRow } from "@/lib/db/queries/runs";
import type { Job } from "@/lib/schemas/jobs";
import { nextRunTimes } from "@/lib/schemas/run-control";
import type { Run } from "@/lib/schemas/runs";

type LastRun = { id: string; status: string; createdAt: Date; startedAt: Date | null; finishedAt: Date | null } | null;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const duration = (start: Date | null, end: Date | null) => (start && end ? end.getTime() - start.getTime() : null);

export function toJobDto(job: typeof jobs.$inferSelect, lastRun: LastRun): Job {
  return {
    id: job.id,
    workspaceId: job.workspaceId,
    name: job.name,
    description: job.description,
    ...job.definition,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    nextRunAt: job.definition.schedule ? nextRunTimes(job.definition.schedule, 1)[0]!.toISOString() : null,
    lastRun: lastRun?.id
      ? {
          id: lastRun.id,
          status: lastRun.status,
          createdAt: lastRun.createdAt.toISOString(),
          durationMs: duration(lastRun.startedAt, lastRun.finishedAt),
        }
      : null,
  };
}

export function toRunDto(run: RunRow): Run {
  return {
    id: run.id,
    jobId: run.jobId,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: duration(run.startedAt, run.finishedAt),
    rowsExtracted: run.rowsExtracted,
    rowsLoaded: run.rowsLoaded,
    progress: run.progress ?? null,
    error: run.errorStage && run.errorMessage ? { stage: run.errorStage, message: run.errorMessage } : null,
  };
}
