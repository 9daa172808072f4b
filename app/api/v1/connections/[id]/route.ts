import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { connectionUpdateSchema } from "@/lib/schemas/connections";
import { patchConnection, readConnection, removeConnection } from "@/lib/services/connections";

export const GET = apiRoute({ objectPermission: "connections:read" }, async ({ principal, params }) => {
  return Response.json(await readConnection(principal, pathId(params, "connection")));
});

export const PATCH = apiRoute({ objectPermission: "connections:write" }, async ({ req, principal, params }) => {
  const id = pathId(params, "connection");
  return Response.json(await patchConnection(principal, id, await readJson(req, connectionUpdateSchema)));
});

export const DELETE = apiRoute({ objectPermission: "connections:write" }, async ({ principal, params }) => {
  await removeConnection(principal, pathId(params, "connection"));
  return new Response(null, { status: 204 });
});
