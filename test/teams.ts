import { eq } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { createApiToken } from "@/lib/db/queries/tokens";
import { auditEvents, users } from "@/lib/db/schema";
import type { Role } from "@/lib/auth/permissions";
import { forgetPrincipals } from "@/lib/auth/principal-cache";
import { apiToken } from "./api";
import { createMemberOnly, createUser } from "./db";

let teamCounter = 0;

/**
 * A workspace with an admin (whose default workspace it is), an editor and a viewer, plus an
 * outsider who administers a workspace of their own; each with an API token. `capped(role)`
 * mints a token of the admin capped at `role`.
 */
export async function createTeam() {
  const n = ++teamCounter;
  const { user: admin, workspace } = await createUser(`admin${n}`);
  const editor = await createMemberOnly(`editor${n}`, workspace.id, "editor");
  const viewer = await createMemberOnly(`viewer${n}`, workspace.id, "viewer");
  const { user: outsider, workspace: otherWorkspace } = await createUser(`outsider${n}`);
  const [adminToken, editorToken, viewerToken, outsiderToken] = await Promise.all(
    [admin, editor, viewer, outsider].map((u) => apiToken(u.id)),
  );
  return {
    workspace,
    otherWorkspace,
    admin,
    editor,
    viewer,
    outsider,
    tokens: { admin: adminToken!, editor: editorToken!, viewer: viewerToken!, outsider: outsiderToken! },
    capped: async (role: Exclude<Role, "admin">, userId = admin.id) =>
      (await createApiToken(db, userId, `capped-${role}`, { roleCap: role })).token,
  };
}

export async function makeInstanceAdmin(userId: string): Promise<void> {
  await db.update(users).set({ isInstanceAdmin: true }).where(eq(users.id, userId));
  // Written past the services, so it forgets cached callers as their writes do.
  forgetPrincipals();
}

/** Every audit event, oldest first, in the shape tests compare. */
export async function auditTrail() {
  const rows = await db.select().from(auditEvents).orderBy(auditEvents.id);
  return rows.map((r) => ({
    action: r.action,
    actorId: r.actorId,
    actorEmail: r.actorEmail,
    tokenId: r.tokenId,
    targetType: r.targetType,
    targetId: r.targetId,
    workspaceId: r.workspaceId,
    ip: r.ip,
    details: r.details,
  }));
}
