import "server-only";
import { and, count, desc, eq, ilike, inArray, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";

export type NewAuditEvent = typeof auditEvents.$inferInsert;
export type AuditRow = typeof auditEvents.$inferSelect;

export async function insertAuditEvent(db: Db, event: NewAuditEvent): Promise<void> {
  await db.insert(auditEvents).values(event);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

type ListParams = {
  /** null: every event (instance admins); otherwise only events of these workspaces. */
  workspaceIds: string[] | null;
  action?: string;
  actorId?: string;
  actor?: string;
  workspaceId?: string;
  targetId?: string;
  page: number;
  pageSize: number;
};

/** Newest first; the id orders events exactly as they were written. */
export async function listAuditEvents(db: Db, params: ListParams) {
  if (params.workspaceIds?.length === 0) return { count: 0, rows: [] };
  const conditions: (SQL | undefined)[] = [
    params.workspaceIds ? inArray(auditEvents.workspaceId, params.workspaceIds) : undefined,
    params.action ? eq(auditEvents.action, params.action) : undefined,
    params.actorId ? eq(auditEvents.actorId, params.actorId) : undefined,
    params.actor ? ilike(auditEvents.actorEmail, `%${escapeLike(params.actor)}%`) : undefined,
    params.workspaceId ? eq(auditEvents.workspaceId, params.workspaceId) : undefined,
    params.targetId ? eq(auditEvents.targetId, params.targetId) : undefined,
  ];
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.id))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(auditEvents).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}
