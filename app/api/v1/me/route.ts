import { readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import type { Principal } from "@/lib/auth/principal";
import { meUpdateSchema } from "@/lib/schemas/workspaces";
import { switchDefaultWorkspace } from "@/lib/services/workspaces";

/** The caller and their workspace roles (capped, for a role-capped token), for the UI to show what the user may do. */
function describe(principal: Principal) {
  return {
    id: principal.userId,
    email: principal.email,
    isInstanceAdmin: principal.isInstanceAdmin,
    memberships: principal.memberships,
    roleCap: principal.roleCap ?? null,
  };
}

export const GET = apiRoute({}, async ({ principal }) => Response.json(describe(principal)));

/** Switches the default workspace: where jobs created without a workspaceId land, and what the UI shows first. */
export const PATCH = apiRoute({}, async ({ req, principal }) => {
  const { defaultWorkspaceId } = await readJson(req, meUpdateSchema);
  await switchDefaultWorkspace(principal, defaultWorkspaceId);
  const memberships = principal.memberships.map((m) => ({ ...m, isDefault: m.workspaceId === defaultWorkspaceId }));
  return Response.json(describe({ ...principal, memberships }));
});
