/** Permissions as data: handlers ask for a permission, never compare role strings. */
export const permissions = [
  "jobs:read",
  "jobs:write",
  "runs:read",
  "runs:execute",
  "files:read",
  "files:write",
  "connections:read",
  "connections:write",
  "members:read",
  "members:manage",
  "workspace:update",
  "audit:read",
  // Instance-wide: only instance admins hold these.
  "users:manage",
  "workspaces:manage",
  // The account's own credentials: held by sessions and uncapped tokens.
  "tokens:manage",
] as const;
export type Permission = (typeof permissions)[number];

export const roles = ["viewer", "editor", "admin"] as const;
export type Role = (typeof roles)[number];

const viewer: Permission[] = ["jobs:read", "runs:read", "files:read", "members:read"];
// Connections are editor-only even to read (SPEC): their hosts and user names are not for every viewer.
const editor: Permission[] = [...viewer, "jobs:write", "runs:execute", "files:write", "connections:read", "connections:write"];
const admin: Permission[] = [...editor, "members:manage", "workspace:update", "audit:read"];

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  editor: new Set(editor),
  admin: new Set(admin),
};

export function roleCan(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}

/**
 * What an instance admin may do in every workspace, member or not: manage the workspace and its
 * members and read its audit trail, but never see its jobs, runs or data without a membership.
 */
export const instanceAdminPermissions: ReadonlySet<Permission> = new Set<Permission>([
  "users:manage",
  "workspaces:manage",
  "members:read",
  "members:manage",
  "workspace:update",
  "audit:read",
]);

/** Held by every account, except through a role-capped token (which must not mint or revoke tokens). */
export const accountPermissions: ReadonlySet<Permission> = new Set<Permission>(["tokens:manage"]);

/** The lower of two roles: a capped token acts with min(membership role, cap). */
export function minRole(a: Role, b: Role): Role {
  return roles.indexOf(a) <= roles.indexOf(b) ? a : b;
}
