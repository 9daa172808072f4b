import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { dropDatabase, migrateDatabase } from "@/lib/db/migrate";

/**
 * Creates and migrates this run's database before any integration file starts, and afterwards
 * drops it and deletes every Redis key under this run's queue prefix. The names come from
 * vitest.config.ts, which also hands them to the test workers.
 */
export default async function setup(project: TestProject) {
  const env = project.config.env;
  const databaseUrl = required(env, "DATABASE_URL");
  const redisUrl = required(env, "REDIS_URL");
  const prefix = required(env, "QUEUE_PREFIX");
  if (!new URL(databaseUrl).pathname.startsWith("/dfh_test_") || !prefix.startsWith("dfh_test_")) {
    throw new Error(`Refusing to run integration tests outside a dfh_test_ database and prefix (${databaseUrl}, ${prefix}).`);
  }

  try {
    await migrateDatabase(databaseUrl, required(env, "DATASET_SCHEMA"));
  } catch (error) {
    await dropDatabase(databaseUrl).catch(() => undefined);
    throw error;
  }

  return async function teardown() {
    await Promise.all([dropDatabase(databaseUrl), deleteKeys(redisUrl, prefix)]);
  };
}

function required(env: Record<string, unknown>, name: string): string {
  const value = env[name];
  if (typeof value !== "string" || value === "") throw new Error(`vitest.config.ts must set test.env.${name}`);
  return value;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
