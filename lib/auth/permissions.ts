/** Permissions as data: handlers ask for a permission, never compare role strings. */
export const permissions = [
  "jobs:read",
  "jobs:write",
  "runs:read",
  "runs:execute",
  "members:manage",
] as const;
export type Permission = (typeof permissions)[number];

export const roles = ["viewer", "editor", "admin"] as const;
export type Role = (typeof roles)[number];

const viewer: Permission[] = ["jobs:read", "runs:read"];
const editor: Permission[] = [...viewer, "jobs:write", "runs:execute"];
const admin: Permission[] = [...editor, "members:manage"];

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  editor: new Set(editor),
  admin: new Set(admin),
};

export function roleCan(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}
