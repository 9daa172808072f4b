import "server-only";
import type { Permission } from "@/lib/auth/permissions";
import { canInWorkspace, isMemberOf, type Principal } from "@/lib/auth/principal";
import { forbidden, notFound } from "@/lib/api/errors";

/**
 * Checks the caller's access to something in a workspace: 404 when they are not a member (never
 * reveal that it exists), 403 when they are a member whose role lacks the permission. Instance
 * admins pass for the management permissions they hold in every workspace.
 */
export function assertAccess(principal: Principal, workspaceId: string, permission: Permission, what: string): void {
  if (canInWorkspace(principal, workspaceId, permission)) return;
  if (!isMemberOf(principal, workspaceId)) throw notFound(what);
  throw forbidden();
}
