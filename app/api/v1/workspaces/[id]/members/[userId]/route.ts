import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { memberUpdateSchema } from "@/lib/schemas/workspaces";
import { changeMemberRole, removeMember } from "@/lib/services/members";

export const PATCH = apiRoute({ objectPermission: "members:manage" }, async ({ req, principal, params }) => {
  const workspaceId = pathId(params, "workspace");
  const userId = pathId(params, "member", "userId");
  const { role } = await readJson(req, memberUpdateSchema);
  return Response.json(await changeMemberRole(principal, workspaceId, userId, role));
});

export const DELETE = apiRoute({ objectPermission: "members:manage" }, async ({ principal, params }) => {
  await removeMember(principal, pathId(params, "workspace"), pathId(params, "member", "userId"));
  return new Response(null, { status: 204 });
});
