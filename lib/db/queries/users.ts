import "server-only";
import { and, asc, count, eq, ilike, isNull, ne, or, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { memberships, users, workspaces } from "@/lib/db/schema";
import type { Membership } from "@/lib/auth/principal";
import { hashPassword } from "@/lib/auth/password";
import { forgetPrincipals } from "@/lib/auth/principal-cache";

export async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(dsql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return user;
}

export async function findUserById(db: Db, id: string) {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

export async function listMemberships(db: Db, userId: string): Promise<Membership[]> {
  return db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role, isDefault: memberships.isDefault })
    .from(memberships)
    .where(eq(memberships.userId, userId));
}

type NewUser = { email: string; name: string; password: string; isInstanceAdmin?: boolean };

/** Creates a user with a personal default workspace in which they are admin. */
export async function createUserWithWorkspace(db: Db, input: NewUser & { workspaceName: string }) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, isInstanceAdmin: input.isInstanceAdmin ?? false })
      .returning();
    const [workspace] = await tx.insert(workspaces).values({ name: input.workspaceName }).returning();
    await tx.insert(memberships).values({ userId: user!.id, workspaceId: workspace!.id, role: "admin", isDefault: true });
    return { user: user!, workspace: workspace! };
  });
}

/**
 * Creates the first instance admin when the database has no users yet. An advisory lock makes
 * concurrent starts (web and worker booting together) create exactly one.
 */
export async function ensureFirstAdmin(db: Db, email: string, password: string): Promise<"created" | "exists"> {
  return db.transaction(async (tx) => {
    await tx.execute(dsql`select pg_advisory_xact_lock(hashtext('dataflowhub:first-admin'))`);
    const [existing] = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing) return "exists";
    const passwordHash = await hashPassword(password);
    const [user] = await tx
      .insert(users)
      .values({ email, name: email.split("@")[0] ?? "admin", passwordHash, isInstanceAdmin: true })
      .returning();
    const [workspace] = await tx.insert(workspaces).values({ name: "Default" }).returning();
    await tx.insert(memberships).values({ userId: user!.id, workspaceId: workspace!.id, role: "admin", isDefault: true });
    return "created";
  });
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listUsers(db: Db, params: { q?: string; page: number; pageSize: number }) {
  const pattern = params.q ? `%${escapeLike(params.q)}%` : undefined;
  const where = pattern ? or(ilike(users.email, pattern), ilike(users.name, pattern)) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(users)
      .where(where)
      .orderBy(asc(users.email))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}

/** Creates a user, with a workspace of their own (where they are admin) unless `personalWorkspace` is false. */
export async function createUserAccount(db: Db, input: NewUser & { personalWorkspace: boolean }) {
  if (input.personalWorkspace) {
    return (await createUserWithWorkspace(db, { ...input, workspaceName: `${input.name}'s workspace` })).user;
  }
  const passwordHash = await hashPassword(input.password);
  const [user] = await db
    .insert(users)
    .values({ email: input.email, name: input.name, passwordHash, isInstanceAdmin: input.isInstanceAdmin ?? false })
    .returning();
  return user!;
}

type UserChange = { name?: string; password?: string; isInstanceAdmin?: boolean; active?: boolean };
type UserRow = typeof users.$inferSelect;
export type UserOutcome =
  | { outcome: "done"; user: UserRow }
  | { outcome: "not_found" }
  | { outcome: "last_instance_admin" }
  | { outcome: "last_workspace_admin"; workspaceIds: string[] };

// Serializes changes that could leave the instance without an active admin.
const lockInstanceAdmins = (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) =>
  tx.execute(dsql`select pg_advisory_xact_lock(hashtext('dataflowhub:instance-admins'))`);

async function otherActiveInstanceAdmins(tx: Parameters<Parameters<Db["transaction"]>[0]>[0], userId: string) {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.isInstanceAdmin, true), isNull(users.deactivatedAt), ne(users.id, userId)));
  return row?.n ?? 0;
}

/** Updates a user, refusing to demote or deactivate the last active instance admin. */
export async function updateUser(db: Db, id: string, change: UserChange): Promise<UserOutcome> {
  const passwordHash = change.password ? await hashPassword(change.password) : undefined;
  return forgettingPrincipals(db.transaction(async (tx) => {
    await lockInstanceAdmins(tx);
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for("update");
    if (!current) return { outcome: "not_found" } as const;
    const losesAdmin = current.isInstanceAdmin && (change.isInstanceAdmin === false || change.active === false);
    if (losesAdmin && (await otherActiveInstanceAdmins(tx, id)) === 0) return { outcome: "last_instance_admin" } as const;
    const deactivatedAt =
      change.active === undefined ? undefined : change.active ? null : (current.deactivatedAt ?? new Date());
    const [user] = await tx
      .update(users)
      .set({ name: change.name, passwordHash, isInstanceAdmin: change.isInstanceAdmin, deactivatedAt })
      .where(eq(users.id, id))
      .returning();
    return { outcome: "done", user: user! } as const;
  }));
}

/**
 * Deletes a user (their memberships and tokens cascade). Refused for the last active instance
 * admin, and while they are the only admin of a workspace that has other members, who would be
 * left with nobody to manage it.
 */
export async function deleteUser(db: Db, id: string): Promise<UserOutcome> {
  return forgettingPrincipals(db.transaction(async (tx) => {
    await lockInstanceAdmins(tx);
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for("update");
    if (!current) return { outcome: "not_found" } as const;
    if (current.isInstanceAdmin && (await otherActiveInstanceAdmins(tx, id)) === 0) {
      return { outcome: "last_instance_admin" } as const;
    }
    const orphaned = await tx.execute<{ workspace_id: string }>(dsql`
      SELECT m.workspace_id FROM memberships m
      WHERE m.user_id = ${id} AND m.role = 'admin'
        AND EXISTS (SELECT 1 FROM memberships o WHERE o.workspace_id = m.workspace_id AND o.user_id <> ${id})
        AND NOT EXISTS (
          SELECT 1 FROM memberships a JOIN users u ON u.id = a.user_id
          WHERE a.workspace_id = m.workspace_id AND a.role = 'admin' AND a.user_id <> ${id} AND u.deactivated_at IS NULL)
      ORDER BY m.workspace_id`);
    if (orphaned.length > 0) {
      return { outcome: "last_workspace_admin", workspaceIds: orphaned.map((r) => r.workspace_id) } as const;
    }
    await tx.delete(users).where(eq(users.id, id));
    return { outcome: "done", user: current } as const;
  }));
}

/** Once a change to a user has committed, cached callers forget what it changed (lib/auth/principal-cache.ts). */
async function forgettingPrincipals(change: Promise<UserOutcome>): Promise<UserOutcome> {
  const outcome = await change;
  if (outcome.outcome === "done") forgetPrincipals();
  return outcome;
}
