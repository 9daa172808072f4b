import type { Permission, Role } from "./permissions";
import { roleCan } from "./permissions";

export type Membership = { workspaceId: string; role: Role; isDefault: boolean };

/** Who is calling, and through which credential; memberships are read fresh on every request. */
export type Principal = {
  userId: string;
  email: string;
  isInstanceAdmin: boolean;
  memberships: Membership[];
  via: "session" | "token";
};

export function workspacesWith(principal: Principal, permission: Permission): string[] {
  return principal.memberships.filter((m) => roleCan(m.role, permission)).map((m) => m.workspaceId);
}

export function canInWorkspace(principal: Principal, workspaceId: string, permission: Permission): boolean {
  return principal.memberships.some((m) => m.workspaceId === workspaceId && roleCan(m.role, permission));
}

export function isMemberOf(principal: Principal, workspaceId: string): boolean {
  return principal.memberships.some((m) => m.workspaceId === workspaceId);
}

export function defaultWorkspace(principal: Principal): string | undefined {
  return (principal.memberships.find((m) => m.isDefault) ?? principal.memberships[0])?.workspaceId;
}
