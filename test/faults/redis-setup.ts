import type { TestProject } from "vitest/node";
import { redisPort, startRedis, stopRedis } from "./redis";

/** Starts the fault suite's private redis-server before the database setup (which clears its keys at the end), and stops it afterwards. */
export default async function setup(project: TestProject) {
  const url = project.config.env.REDIS_URL;
  if (typeof url !== "string" || !url.startsWith("redis://127.0.0.1:") || redisPort(url) === 6379) {
    throw new Error(`The fault suite needs a private Redis port from vitest.config.ts, not ${String(url)}`);
  }
  const port = redisPort(url);
  await startRedis(port);
  return async function teardown() {
    await stopRedis(port);
  };
}
