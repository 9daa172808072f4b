import { readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { tokenCreateSchema } from "@/lib/schemas/auth";
import { createTokenFor, listTokensFor } from "@/lib/services/tokens";

export const GET = apiRoute({}, async ({ principal }) => {
  const results = await listTokensFor(principal);
  return Response.json({ count: results.length, next: null, previous: null, results });
});

/** A role-capped token lacks "tokens:manage": it could otherwise mint itself an uncapped one. */
export const POST = apiRoute({ permission: "tokens:manage" }, async ({ req, principal }) => {
  const token = await createTokenFor(principal, await readJson(req, tokenCreateSchema));
  return Response.json(token, { status: 201 });
});
