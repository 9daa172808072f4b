import "server-only";
import { and, asc, count, eq, isNull, ne, sql as dsql } from "drizzle-orm";
import type { Db, Sql } from "@/lib/db/client";
import { qualified } from "@/lib/db/identifiers";
import { memberships, users, workspaces } from "@/lib/db/schema";
import type { Role } from "@/lib/auth/permissions";
import { forgetPrincipals } from "@/lib/auth/principal-cache";

export type WorkspaceRow = { id: string; name: string; createdAt: Date; memberCount: number; role: Role | null };

// Selected with memberships joined on the caller, so `role` is the caller's role (null if none).
const workspaceColumns = {
  id: workspaces.id,
  name: workspaces.name,
  createdAt: workspaces.createdAt,
  memberCount: dsql<number>`(SELECT count(*)::int FROM ${memberships} m WHERE m.workspace_id = ${workspaces.id})`,
  role: memberships.role,
};

/** The workspaces `userId` is a member of, or every workspace when `all`; with the user's role in each. */
export async function listWorkspaces(db: Db, params: { userId: string; all: boolean }): Promise<WorkspaceRow[]> {
  return db
    .select(workspaceColumns)
    .from(workspaces)
    [params.all ? "leftJoin" : "innerJoin"](
      memberships,
      and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, params.userId)),
    )
    .orderBy(asc(workspaces.name), asc(workspaces.id));
}

export async function getWorkspace(db: Db, id: string, userId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db
    .select(workspaceColumns)
    .from(workspaces)
    .leftJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
    .where(eq(workspaces.id, id))
    .limit(1);
  return row;
}

/** A new workspace with its first admin, so it is never without one. */
export async function insertWorkspace(db: Db, name: string, adminUserId: string) {
  const created = await db.transaction(async (tx) => {
    const [workspace] = await tx.insert(workspaces).values({ name }).returning();
    await tx.insert(memberships).values({ userId: adminUserId, workspaceId: workspace!.id, role: "admin" });
    return workspace!;
  });
  forgetPrincipals();
  return created;
}

export async function renameWorkspace(db: Db, id: string, name: string) {
  const [row] = await db.update(workspaces).set({ name }).where(eq(workspaces.id, id)).returning();
  return row;
}

/**
 * Deletes a workspace and everything in it. Rows cascade; dataset tables live outside the foreign
 * keys, so they are dropped here in the same transaction, each under its job's advisory lock (the
 * one a loading run and a job deletion take).
 */
export async function deleteWorkspace(sql: Sql, datasetSchema: string, id: string): Promise<boolean> {
  const deleted = await sql.begin(async (tx) => {
    const tables = await tx<{ jobId: string; tableName: string }[]>`
      SELECT job_id AS "jobId", table_name AS "tableName" FROM datasets WHERE workspace_id = ${id}`;
    for (const { jobId, tableName } of tables) {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${jobId}))`;
      await tx.unsafe(`DROP TABLE IF EXISTS ${qualified(datasetSchema, tableName)}`);
    }
    const rows = await tx`DELETE FROM workspaces WHERE id = ${id} RETURNING id`;
    return rows.length > 0;
  });
  if (deleted) forgetPrincipals();
  return deleted;
}

export type MemberRow = { userId: string; email: string; name: string; role: Role; active: boolean; createdAt: Date };

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  name: users.name,
  role: memberships.role,
  active: dsql<boolean>`${users.deactivatedAt} IS NULL`,
  createdAt: memberships.createdAt,
};

export async function listMembers(db: Db, workspaceId: string): Promise<MemberRow[]> {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.email));
}

export async function getMember(db: Db, workspaceId: string, userId: string): Promise<MemberRow | undefined> {
  const [member] = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return member;
}

/** Adds a member; the first workspace a user joins becomes their default. Undefined if already a member. */
export async function insertMember(db: Db, workspaceId: string, userId: string, role: Role) {
  const [existing] = await db.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId));
  const [row] = await db
    .insert(memberships)
    .values({ workspaceId, userId, role, isDefault: (existing?.n ?? 0) === 0 })
    .onConflictDoNothing()
    .returning();
  if (row) forgetPrincipals();
  return row;
}

export type MemberChange = { outcome: "done"; previousRole: Role } | { outcome: "not_found" } | { outcome: "last_admin" };

/**
 * Changes a member's role (or removes them with `role: null`), refusing to leave the workspace
 * without an active admin. The workspace row is locked, so two admins demoting each other at
 * once cannot both succeed.
 */
export async function changeMember(db: Db, workspaceId: string, userId: string, role: Role | null): Promise<MemberChange> {
  const change = await db.transaction(async (tx) => {
    await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
    const [current] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    if (!current) return { outcome: "not_found" } as const;
    if (current.role === "admin" && role !== "admin") {
      const [others] = await tx
        .select({ n: count() })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.workspaceId, workspaceId),
            eq(memberships.role, "admin"),
            ne(memberships.userId, userId),
            isNull(users.deactivatedAt),
          ),
        );
      if ((others?.n ?? 0) === 0) return { outcome: "last_admin" } as const;
    }
    const where = and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId));
    if (role) await tx.update(memberships).set({ role }).where(where);
    else await tx.delete(memberships).where(where);
    return { outcome: "done", previousRole: current.role } as const;
  });
  if (change.outcome === "done") forgetPrincipals();
  return change;
}

/** Makes `workspaceId` the user's default (where jobs created without a workspace land). */
export async function setDefaultWorkspace(db: Db, userId: string, workspaceId: string): Promise<boolean> {
  const changed = await db.transaction(async (tx) => {
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)))
      .for("update");
    if (!member) return false;
    await tx.update(memberships).set({ isDefault: false }).where(eq(memberships.userId, userId));
    await tx
      .update(memberships)
      .set({ isDefault: true })
      .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)));
    return true;
  });
  if (changed) forgetPrincipals();
  return changed;
}
