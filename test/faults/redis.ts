import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The fault suite's own redis-server (see vitest.config.ts): no persistence, so a restart loses
 * every key, like a Redis that was flushed or restarted without a volume. Started daemonized, so
 * that stopping and starting it again is the same operation for the global setup and the tests.
 */
export function redisPort(redisUrl: string): number {
  return Number(new URL(redisUrl).port);
}

export async function startRedis(port: number): Promise<void> {
  await run("redis-server", [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
    "--daemonize", "yes",
    "--dir", "/tmp",
    "--pidfile", `/tmp/dfh-faults-redis-${port}.pid`,
    "--logfile", `/tmp/dfh-faults-redis-${port}.log`,
  ]);
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start (see /tmp/dfh-faults-redis-${port}.log)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function stopRedis(port: number): Promise<void> {
  await run("redis-cli", ["-p", String(port), "shutdown", "nosave"]).catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (await ping(port)) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run("redis-cli", ["-p", String(port), "ping"], { timeout: 2000 });
    return stdout.trim() === "PONG";
  } catch {
    return false;
  }
}
