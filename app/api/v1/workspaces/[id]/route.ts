import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { workspaceUpdateSchema } from "@/lib/schemas/workspaces";
import { readWorkspace, removeWorkspace, renameWorkspaceFor } from "@/lib/services/workspaces";

export const GET = apiRoute({ objectPermission: "members:read" }, async ({ principal, params }) => {
  return Response.json(await readWorkspace(principal, pathId(params, "workspace")));
});

export const PATCH = apiRoute({ objectPermission: "workspace:update" }, async ({ req, principal, params }) => {
  const id = pathId(params, "workspace");
  const { name } = await readJson(req, workspaceUpdateSchema);
  return Response.json(await renameWorkspaceFor(principal, id, name));
});

export const DELETE = apiRoute({ permission: "workspaces:manage" }, async ({ principal, params }) => {
  await removeWorkspace(principal, pathId(params, "workspace"));
  return new Response(null, { status: 204 });
});
