import type { Permission, Role } from "./permissions";
import { accountPermissions, instanceAdminPermissions, roleCan } from "./permissions";

export type Membership = { workspaceId: string; role: Role; isDefault: boolean };

/**
 * Who is calling, through which credential and from where; memberships are read fresh on every
 * request. A role-capped token's memberships already carry min(role, cap), and it never counts
 * as an instance admin.
 */
export type Principal = {
  userId: string;
  email: string;
  isInstanceAdmin: boolean;
  memberships: Membership[];
  via: "session" | "token";
  /** The API token used, when `via` is "token". */
  tokenId?: string;
  roleCap?: Role | null;
  /** The client's address, for the audit trail and per-IP limits; null outside a request. */
  ip?: string | null;
};

export function workspacesWith(principal: Principal, permission: Permission): string[] {
  return principal.memberships.filter((m) => roleCan(m.role, permission)).map((m) => m.workspaceId);
}

export function canInWorkspace(principal: Principal, workspaceId: string, permission: Permission): boolean {
  if (principal.isInstanceAdmin && instanceAdminPermissions.has(permission)) return true;
  return principal.memberships.some((m) => m.workspaceId === workspaceId && roleCan(m.role, permission));
}

/** Whether the caller holds the permission anywhere: the route wrapper's coarse check before per-workspace ones. */
export function holdsPermission(principal: Principal, permission: Permission): boolean {
  if (accountPermissions.has(permission)) return !principal.roleCap;
  if (principal.isInstanceAdmin && instanceAdminPermissions.has(permission)) return true;
  return workspacesWith(principal, permission).length > 0;
}

export function isMemberOf(principal: Principal, workspaceId: string): boolean {
  return principal.memberships.some((m) => m.workspaceId === workspaceId);
}

export function defaultWorkspace(principal: Principal): string | undefined {
  return (principal.memberships.find((m) => m.isDefault) ?? principal.memberships[0])?.workspaceId;
}
