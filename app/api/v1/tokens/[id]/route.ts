import { pathId } from "@/lib/api/body";
import { notFound } from "@/lib/api/errors";
import { apiRoute } from "@/lib/api/route";
import { db } from "@/lib/db/client";
import { revokeApiToken } from "@/lib/db/queries/tokens";

export const DELETE = apiRoute({}, async ({ principal, params }) => {
  const revoked = await revokeApiToken(db, principal.userId, pathId(params, "token"));
  if (!revoked) throw notFound("token");
  return new Response(null, { status: 204 });
});
