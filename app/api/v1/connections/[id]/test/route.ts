import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { connectionTestSchema } from "@/lib/schemas/connections";
import { testSavedConnection } from "@/lib/services/connections";

/** Tests a saved connection; the body is optional (`{url}` for http connections). */
export const POST = apiRoute({ objectPermission: "connections:write" }, async ({ req, principal, params }) => {
  const id = pathId(params, "connection");
  const input = req.headers.get("content-type") ? await readJson(req, connectionTestSchema) : {};
  return Response.json(await testSavedConnection(principal, id, input));
});
