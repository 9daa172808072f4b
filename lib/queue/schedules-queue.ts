import "server-only";
import type { Job, Queue } from "bullmq";
import { z } from "zod";
import type { Schedule } from "@/lib/schemas/run-control";
import { producerQueue } from "./producer";

/**
 * Schedules are BullMQ job schedulers on their own queue, one per job with a schedule, under the
 * job's id: upserting the same id from any number of processes leaves exactly one scheduler. At
 * each cron time it adds one "tick" job (id `repeat:<job id>:<time>`, so a tick exists once), and
 * the worker that processes the tick records the run (see lib/runs/schedule-tick.ts).
 */
export const SCHEDULES_QUEUE = "schedules";

export const tickPayloadSchema = z.object({ jobId: z.uuid() });
export type TickPayload = z.infer<typeof tickPayloadSchema>;

export function schedulesQueue(): Queue<TickPayload> {
  return producerQueue<TickPayload>(SCHEDULES_QUEUE);
}

/** Creates, updates or removes the job's scheduler so that it matches `schedule` at once. */
export async function syncSchedule(queue: Queue<TickPayload>, jobId: string, schedule: Schedule | null): Promise<void> {
  if (!schedule) {
    await queue.removeJobScheduler(jobId);
    return;
  }
  await queue.upsertJobScheduler(
    jobId,
    { pattern: schedule.cron, tz: schedule.timezone },
    {
      name: "tick",
      data: { jobId },
      opts: {
        // A tick only inserts a row and enqueues the run; retrying it is safe (one run per tick).
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 1000 },
      },
    },
  );
}

/** When a tick job was due: BullMQ keeps the scheduled time as `prevMillis` (and in the id). */
export function tickTime(job: Job<TickPayload>): Date {
  const millis = job.opts.prevMillis ?? Number(job.id?.split(":").at(-1));
  if (!Number.isFinite(millis)) throw new Error(`Tick job ${job.id} carries no scheduled time`);
  return new Date(millis);
}
