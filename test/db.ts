import { db, sql } from "@/lib/db/client";
import { quoteIdent } from "@/lib/db/identifiers";
import { createUserWithWorkspace } from "@/lib/db/queries/users";
import { hashPassword } from "@/lib/auth/password";
import { memberships, users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import type { Role } from "@/lib/auth/permissions";
import { forgetPrincipals } from "@/lib/auth/principal-cache";
import { notificationsQueue } from "@/lib/notifications/queue";
import { runsQueue } from "@/lib/queue/runs-queue";
import { schedulesQueue } from "@/lib/queue/schedules-queue";

/** Empties every app table and the dataset schema, so each test starts from nothing. */
export async function resetDatabase(): Promise<void> {
  await sql.unsafe(
    "TRUNCATE users, workspaces, memberships, api_tokens, jobs, runs, run_logs, datasets, maintenance_leases RESTART IDENTITY CASCADE",
  );
  // The finished-run counters behind /api/metrics only ever grow; each test starts them from zero.
  await sql.unsafe("UPDATE run_totals SET runs = 0, rows_loaded = 0, duration_seconds_sum = 0; UPDATE run_duration_buckets SET runs = 0");
  const schema = quoteIdent(env.DATASET_SCHEMA);
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  forgetPrincipals();
}

/**
 * Removes waiting, delayed, completed and failed jobs and every schedule from this run's queues,
 * so none leaks into the next test (the queue-depth metrics count finished jobs too).
 */
export async function resetQueue(): Promise<void> {
  const schedules = schedulesQueue();
  for (const scheduler of await schedules.getJobSchedulers(0, -1)) await schedules.removeJobScheduler(scheduler.key);
  const queues = [runsQueue(), schedules, notificationsQueue()];
  await Promise.all(queues.map((queue) => queue.drain(true)));
  await Promise.all(queues.flatMap((queue) => [queue.clean(0, 0, "completed"), queue.clean(0, 0, "failed")]));
}

export const TEST_PASSWORD = "correct horse battery staple";

let userCounter = 0;

/** A user with their own default workspace, where they are admin. */
export async function createUser(name = `user${++userCounter}`) {
  const { user, workspace } = await createUserWithWorkspace(db, {
    email: `${name}@example.test`,
    name,
    password: TEST_PASSWORD,
    workspaceName: `${name}'s workspace`,
  });
  return { user, workspace };
}

export async function addMember(userId: string, workspaceId: string, role: Role): Promise<void> {
  await db.insert(memberships).values({ userId, workspaceId, role, isDefault: false });
  // Written past the services, so it forgets cached callers as their writes do.
  forgetPrincipals();
}

/** A user whose only membership is `role` in someone else's workspace (their default). */
export async function createMemberOnly(name: string, workspaceId: string, role: Role) {
  const [user] = await db
    .insert(users)
    .values({ email: `${name}@example.test`, name, passwordHash: await hashPassword(TEST_PASSWORD) })
    .returning();
  await db.insert(memberships).values({ userId: user!.id, workspaceId, role, isDefault: true });
  return user!;
}

/** Column name → PostgreSQL data type of a table, in column order. */
export async function tableColumns(schema: string, table: string): Promise<Record<string, string>> {
  const rows = await sql<{ column_name: string; data_type: string }[]>`
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = ${schema} AND table_name = ${table}
    ORDER BY ordinal_position`;
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

/** A dataset table's rows as JSON (PostgreSQL's own rendering of each type), in load order. */
export async function datasetRows(table: string): Promise<Record<string, unknown>[]> {
  const rows = await sql.unsafe<{ row: Record<string, unknown> }[]>(
    `SELECT to_jsonb(t) - '_run_id' AS row FROM ${quoteIdent(env.DATASET_SCHEMA)}.${quoteIdent(table)} t ORDER BY _row`,
  );
  return rows.map((r) => r.row);
}

/** The distinct run ids present in a dataset table. */
export async function datasetRunIds(table: string): Promise<string[]> {
  const rows = await sql.unsafe<{ id: string }[]>(
    `SELECT DISTINCT _run_id::text AS id FROM ${quoteIdent(env.DATASET_SCHEMA)}.${quoteIdent(table)} ORDER BY 1`,
  );
  return rows.map((r) => r.id);
}

/** Tables currently in the dataset schema (datasets and any leftover staging tables). */
export async function datasetSchemaTables(): Promise<string[]> {
  const rows = await sql<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${env.DATASET_SCHEMA} ORDER BY table_name`;
  return rows.map((r) => r.table_name);
}
