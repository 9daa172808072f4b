import "server-only";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { createRedis, logRedisErrors } from "./connection";

const globalCache = globalThis as unknown as { __dfhRedis?: Redis; __dfhQueues?: Map<string, Queue> };

/** The process's one producer Redis connection, shared by every queue it adds to, the health check and throttling. */
export function producerRedis(): Redis {
  globalCache.__dfhRedis ??= createRedis("producer");
  return globalCache.__dfhRedis;
}

/** A queue to add jobs to (and inspect), one instance per name and process. */
export function producerQueue<T>(name: string): Queue<T> {
  globalCache.__dfhQueues ??= new Map();
  let queue = globalCache.__dfhQueues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: producerRedis(), prefix: env.QUEUE_PREFIX });
    logRedisErrors(queue, `queue ${name}`);
    globalCache.__dfhQueues.set(name, queue);
  }
  return queue as Queue<T>;
}

/** Closes every producer queue and the connection, for processes and test files that end. */
export async function closeQueues(): Promise<void> {
  const queues = [...(globalCache.__dfhQueues?.values() ?? [])];
  const redis = globalCache.__dfhRedis;
  globalCache.__dfhQueues = undefined;
  globalCache.__dfhRedis = undefined;
  await Promise.all(queues.map((queue) => queue.close()));
  if (redis) await redis.quit().catch(() => redis.disconnect());
}
