import "server-only";
import { sql } from "@/lib/db/client";
import { producerRedis } from "@/lib/queue/producer";

const TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), TIMEOUT_MS).unref()),
  ]);
}

async function probe(check: () => Promise<unknown>): Promise<"ok" | "down"> {
  try {
    await withTimeout(check());
    return "ok";
  } catch {
    return "down";
  }
}

/** Pings PostgreSQL and Redis with a short timeout each, so health answers quickly even when one hangs. */
export async function checkHealth() {
  const [db, redis] = await Promise.all([
    probe(() => sql`SELECT 1`),
    probe(() => producerRedis().ping()),
  ]);
  return { status: db === "ok" && redis === "ok" ? "ok" : "degraded", db, redis };
}
