import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { revokeTokenFor } from "@/lib/services/tokens";

export const DELETE = apiRoute({ permission: "tokens:manage" }, async ({ principal, params }) => {
  await revokeTokenFor(principal, pathId(params, "token"));
  return new Response(null, { status: 204 });
});
