import { describe, expect, it } from "vitest";
import { minRole, roleCan, rolePermissions, roles } from "./permissions";
import { canInWorkspace, holdsPermission, type Principal } from "./principal";

const principal = (extra: Partial<Principal> = {}): Principal => ({
  userId: "u",
  email: "u@example.test",
  isInstanceAdmin: false,
  memberships: [{ workspaceId: "w1", role: "viewer", isDefault: true }],
  via: "token",
  ...extra,
});

describe("roles and permissions", () => {
  it("grows from viewer to editor to admin", () => {
    expect([...rolePermissions.viewer].sort()).toEqual(["files:read", "jobs:read", "members:read", "runs:read"]);
    expect([...rolePermissions.admin].filter((p) => !rolePermissions.editor.has(p)).sort()).toEqual([
      "audit:read",
      "members:manage",
      "workspace:update",
    ]);
    for (const permission of rolePermissions.viewer) expect(roleCan("editor", permission)).toBe(true);
    for (const permission of rolePermissions.editor) expect(roleCan("admin", permission)).toBe(true);
    expect(roleCan("editor", "members:manage")).toBe(false);
    expect(roleCan("admin", "users:manage")).toBe(false);
  });

  it("minRole picks the lower role", () => {
    expect(roles.flatMap((a) => roles.map((b) => `${a}/${b}:${minRole(a, b)}`))).toEqual([
      "viewer/viewer:viewer",
      "viewer/editor:viewer",
      "viewer/admin:viewer",
      "editor/viewer:viewer",
      "editor/editor:editor",
      "editor/admin:editor",
      "admin/viewer:viewer",
      "admin/editor:editor",
      "admin/admin:admin",
    ]);
  });

  it("instance admins manage every workspace but read none of its data without a membership", () => {
    const root = principal({ isInstanceAdmin: true, memberships: [] });
    expect(canInWorkspace(root, "w9", "members:manage")).toBe(true);
    expect(canInWorkspace(root, "w9", "audit:read")).toBe(true);
    expect(canInWorkspace(root, "w9", "jobs:read")).toBe(false);
    expect(holdsPermission(root, "users:manage")).toBe(true);
    expect(holdsPermission(principal(), "users:manage")).toBe(false);
  });

  it("keeps token management from role-capped tokens", () => {
    expect(holdsPermission(principal(), "tokens:manage")).toBe(true);
    expect(holdsPermission(principal({ roleCap: "editor" }), "tokens:manage")).toBe(false);
  });
});
