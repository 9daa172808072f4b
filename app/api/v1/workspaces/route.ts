import { readJson, readQuery } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { workspaceCreateSchema, workspaceListQuerySchema } from "@/lib/schemas/workspaces";
import { createWorkspace, listWorkspacesFor } from "@/lib/services/workspaces";

/** The caller's workspaces with their role in each; `?all=true` lists every workspace (instance admins). */
export const GET = apiRoute({}, async ({ url, principal }) => {
  const { all } = readQuery(url, workspaceListQuerySchema);
  const results = await listWorkspacesFor(principal, all ?? false);
  return Response.json({ count: results.length, next: null, previous: null, results });
});

export const POST = apiRoute({ permission: "workspaces:manage" }, async ({ req, principal }) => {
  const { name } = await readJson(req, workspaceCreateSchema);
  return Response.json(await createWorkspace(principal, name), { status: 201 });
});
