import "server-only";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { env } from "@/lib/env";
import { createRedis } from "./connection";

/** The contract between the web app (producer) and the worker (consumer) for executing runs. */
export const RUNS_QUEUE = "runs";

export const runJobPayloadSchema = z.object({ runId: z.uuid() });
export type RunJobPayload = z.infer<typeof runJobPayloadSchema>;

export type RetryPolicy = { attempts: number; backoffSeconds: number };

const globalCache = globalThis as unknown as { __dfhRunsQueue?: Queue<RunJobPayload>; __dfhRedis?: Redis };

/** The web process's one Redis connection, shared by the queue producer and the health check. */
export function producerRedis(): Redis {
  globalCache.__dfhRedis ??= createRedis("producer");
  return globalCache.__dfhRedis;
}

export function runsQueue(): Queue<RunJobPayload> {
  globalCache.__dfhRunsQueue ??= new Queue<RunJobPayload>(RUNS_QUEUE, {
    connection: producerRedis(),
    prefix: env.QUEUE_PREFIX,
  });
  return globalCache.__dfhRunsQueue;
}

/** Enqueues a run under its own id, so a run is in the queue at most once whoever enqueues it. */
export async function enqueueRun(runId: string, retry: RetryPolicy): Promise<void> {
  await runsQueue().add(
    "execute",
    { runId },
    {
      jobId: runId,
      attempts: retry.attempts,
      backoff: { type: "exponential", delay: retry.backoffSeconds * 1000 },
      // Finished jobs live in PostgreSQL as runs; keeping a few in Redis only helps debugging.
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  );
}

export async function closeRunsQueue(): Promise<void> {
  const queue = globalCache.__dfhRunsQueue;
  const redis = globalCache.__dfhRedis;
  globalCache.__dfhRunsQueue = undefined;
  globalCache.__dfhRedis = undefined;
  if (queue) await queue.close();
  if (redis) await redis.quit().catch(() => redis.disconnect());
}
