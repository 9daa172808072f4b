import "server-only";
import { and, asc, count, eq, ilike, inArray, isNotNull, or, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { connections, jobs } from "@/lib/db/schema";
import type { ConnectionConfig, ConnectionType } from "@/lib/schemas/connections";

export type ConnectionRow = typeof connections.$inferSelect;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listConnections(
  db: Db,
  params: { workspaceIds: string[]; q?: string; type?: ConnectionType; page: number; pageSize: number },
) {
  if (params.workspaceIds.length === 0) return { count: 0, rows: [] };
  const where = and(
    inArray(connections.workspaceId, params.workspaceIds),
    params.q ? ilike(connections.name, `%${escapeLike(params.q)}%`) : undefined,
    params.type ? eq(connections.type, params.type) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(connections)
      .where(where)
      .orderBy(asc(connections.name), asc(connections.id))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(connections).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}

export async function getConnection(db: Db, id: string): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id)).limit(1);
  return row;
}

/** The connections among `ids` that belong to the workspace. */
export async function connectionsIn(db: Db, workspaceId: string, ids: string[]): Promise<ConnectionRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(connections)
    .where(and(eq(connections.workspaceId, workspaceId), inArray(connections.id, ids)));
}

export async function insertConnection(
  db: Db,
  values: { workspaceId: string; name: string; config: ConnectionConfig; secret: string | null; createdBy: string },
): Promise<ConnectionRow> {
  const [row] = await db
    .insert(connections)
    .values({ ...values, type: values.config.type })
    .returning();
  return row!;
}

export async function updateConnection(
  db: Db,
  id: string,
  values: { name?: string; config?: ConnectionConfig; secret?: string | null },
): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .update(connections)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(connections.id, id))
    .returning();
  return row;
}

export async function deleteConnection(db: Db, id: string): Promise<void> {
  await db.delete(connections).where(eq(connections.id, id));
}

/** Jobs whose source or destination refers to the connection, by name. */
export async function jobsUsingConnection(db: Db, workspaceId: string, connectionId: string): Promise<string[]> {
  const rows = await db
    .select({ name: jobs.name })
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, workspaceId),
        or(
          dsql`${jobs.definition} -> 'source' ->> 'connectionId' = ${connectionId}`,
          dsql`${jobs.definition} -> 'destination' ->> 'connectionId' = ${connectionId}`,
        ),
      ),
    )
    .orderBy(asc(jobs.name));
  return rows.map((r) => r.name);
}

/** Every stored secret, for re-encryption after a key rotation. */
export async function listConnectionSecrets(db: Db) {
  return db
    .select({ id: connections.id, secret: connections.secret })
    .from(connections)
    .where(isNotNull(connections.secret))
    .orderBy(asc(connections.createdAt), asc(connections.id));
}

export async function setConnectionSecret(db: Db, id: string, secret: string): Promise<void> {
  await db.update(connections).set({ secret }).where(eq(connections.id, id));
}
