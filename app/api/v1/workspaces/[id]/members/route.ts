import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { memberAddSchema } from "@/lib/schemas/workspaces";
import { addMember, listMembersOf } from "@/lib/services/members";

export const GET = apiRoute({ objectPermission: "members:read" }, async ({ principal, params }) => {
  const results = await listMembersOf(principal, pathId(params, "workspace"));
  return Response.json({ count: results.length, next: null, previous: null, results });
});

export const POST = apiRoute({ objectPermission: "members:manage" }, async ({ req, principal, params }) => {
  const workspaceId = pathId(params, "workspace");
  const member = await addMember(principal, workspaceId, await readJson(req, memberAddSchema));
  return Response.json(member, { status: 201 });
});
