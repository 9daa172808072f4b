import "server-only";
import { eq, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { memberships, users, workspaces } from "@/lib/db/schema";
import type { Membership } from "@/lib/auth/principal";
import { hashPassword } from "@/lib/auth/password";

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
