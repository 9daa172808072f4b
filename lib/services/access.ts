import "server-only";
import type { Permission } from "@/lib/auth/permissions";
import { canInWorkspace, isMemberOf, type Principal } from "@/lib/auth/principal";
import { forbidden, notFound } from "@/lib/api/errors";

/**
 * Checks the caller's access to something in a workspace: 404 when they are not a member (never
 * reveal that it exists), 403 when they are a member whose role lacks the permission.
 */
export function assertAccess(principal: Principal, workspaceId: string, permission: Permission, what: string): void {
  if (!isMemberOf(principal, workspaceId)) throw notFound(what);
  if (!canInWorkspace(principal, workspaceId, permission)) throw forbidden();
}
