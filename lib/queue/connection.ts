import "server-only";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands must
 * wait out a Redis restart instead of failing). Producers in the web app instead give up after
 * one reconnection try or a few seconds, so an API request answers 503 rather than hanging.
 */
export function createRedis(role: "worker" | "producer", extra: RedisOptions = {}): Redis {
  return new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: role === "worker" ? null : 1,
    ...(role === "producer" ? { commandTimeout: 3000 } : {}),
    connectTimeout: 5000,
    ...extra,
  });
}
