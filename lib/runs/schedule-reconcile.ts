import "server-only";
import type { Queue } from "bullmq";
import { db } from "@/lib/db/client";
import { listScheduledJobs } from "@/lib/db/queries/jobs";
import { syncSchedule, type TickPayload } from "@/lib/queue/schedules-queue";

export type ScheduleReconciliation = { upserted: string[]; removed: string[] };

/**
 * Makes the queue's schedulers match the jobs: every job with a schedule has one with its cron and
 * time zone, and no scheduler outlives its job or schedule. Run at worker start and periodically,
 * it repairs what an API call could not apply (Redis down) and what Redis lost (a restart without
 * persistence). Only differences are written, so concurrent runs of it are harmless.
 */
export async function reconcileSchedules(queue: Queue<TickPayload>): Promise<ScheduleReconciliation> {
  const [jobs, schedulers] = await Promise.all([listScheduledJobs(db), queue.getJobSchedulers(0, -1)]);
  const existing = new Map(schedulers.map((s) => [s.key, s]));
  const upserted: string[] = [];
  for (const job of jobs) {
    const schedule = job.definition.schedule!;
    const current = existing.get(job.id);
    if (current?.pattern === schedule.cron && current.tz === schedule.timezone) continue;
    await syncSchedule(queue, job.id, schedule);
    upserted.push(job.id);
  }
  const wanted = new Set(jobs.map((job) => job.id));
  const removed = schedulers.filter((s) => !wanted.has(s.key)).map((s) => s.key);
  for (const id of removed) await syncSchedule(queue, id, null);
  return { upserted, removed };
}
