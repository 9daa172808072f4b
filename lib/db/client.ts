import "server-only";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

function createClient() {
  const sql = postgres(env.DATABASE_URL, {
    max: env.DATABASE_POOL_SIZE,
    // Fail fast when PostgreSQL is unreachable so requests answer 503 instead of hanging.
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => {},
    // Timestamps without a zone are read as UTC, whatever the server default is. The application
    // name tells each process's sessions apart in pg_stat_activity (operators, the fault tests).
    // Named statements are planned for their values each time, as unnamed ones are: a generic
    // plan, which PostgreSQL may settle on after five runs, costs a results page's `LIMIT $n` as
    // a tenth of the table, and deep `page=` requests could tip a statement onto one for everyone.
    connection: { TimeZone: "UTC", application_name: `dataflowhub:${process.pid}`, plan_cache_mode: "force_custom_plan" },
  });
  return { sql, db: drizzle(sql, { schema, casing: "snake_case" }) };
}

// Next.js dev reloads modules on every change; caching the pool avoids leaking connections.
const globalCache = globalThis as unknown as { __dfhDb?: ReturnType<typeof createClient> };
const client = globalCache.__dfhDb ?? createClient();
if (env.NODE_ENV !== "production") globalCache.__dfhDb = client;

/** The raw postgres.js client, for COPY and dynamic dataset tables that drizzle cannot model. */
export const sql = client.sql;
export const db = client.db;
export type Db = typeof db;
export type Sql = typeof sql;

export async function closeDb(): Promise<void> {
  await sql.end({ timeout: 5 });
  globalCache.__dfhDb = undefined;
}
