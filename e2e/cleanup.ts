import { Redis } from "ioredis";
import { dropDatabase } from "../lib/db/migrate";

/**
 * Removes what one e2e run created: its database and every Redis key under its queue prefix.
 * Refuses anything not named like an e2e run's, so a wrong environment cannot drop real data.
 */
export async function removeE2eState(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const databaseUrl = env.DATABASE_URL;
  const prefix = env.QUEUE_PREFIX;
  if (databaseUrl && new URL(databaseUrl).pathname.startsWith("/dataflowhub_e2e_")) await dropDatabase(databaseUrl);
  if (prefix?.startsWith("dfh_e2e_")) await deleteKeys(env.REDIS_URL || "redis://127.0.0.1:6379", `${prefix}:*`);
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
