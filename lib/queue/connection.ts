import "server-only";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands must
 * wait out a Redis restart instead of failing). Producers in the web app instead give up after
 * one reconnection try or a few seconds, so an API request answers 503 rather than hanging.
 */
export function createRedis(role: "worker" | "producer", extra: RedisOptions = {}): Redis {
  const redis = new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: role === "worker" ? null : 1,
    ...(role === "producer" ? { commandTimeout: 3000 } : {}),
    connectTimeout: 5000,
    ...extra,
  });
  logRedisErrors(redis, `redis ${role} connection`);
  return redis;
}

const WARN_EVERY_MS = 10_000;

/**
 * ioredis and BullMQ report every failed reconnection try as an `error` event (and print it when
 * nobody listens): during an outage one warning every few seconds says enough.
 */
export function logRedisErrors(emitter: { on(event: "error", listener: (error: Error) => void): unknown }, what: string): void {
  let lastWarned = 0;
  emitter.on("error", (error) => {
    if (Date.now() - lastWarned < WARN_EVERY_MS) return;
    lastWarned = Date.now();
    logger.warn({ err: error, what }, "Redis unavailable; reconnecting");
  });
}
