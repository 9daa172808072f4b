import "server-only";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands must
 * wait out a Redis restart instead of failing). Producers in the web app instead fail fast so an
 * API request answers 503 rather than hanging while Redis is down.
 */
export function createRedis(role: "worker" | "producer", extra: RedisOptions = {}): Redis {
  return new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    connectTimeout: 5000,
    lazyConnect: false,
    ...extra,
  });
}
