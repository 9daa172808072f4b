import { readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { db } from "@/lib/db/client";
import { createApiToken, listApiTokens } from "@/lib/db/queries/tokens";
import { tokenCreateSchema } from "@/lib/schemas/auth";

export const GET = apiRoute({}, async ({ principal }) => {
  const tokens = await listApiTokens(db, principal.userId);
  const results = tokens.map((t) => ({
    ...t,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  }));
  return Response.json({ count: results.length, next: null, previous: null, results });
});

export const POST = apiRoute({}, async ({ req, principal }) => {
  const body = await readJson(req, tokenCreateSchema);
  const token = await createApiToken(db, principal.userId, body.name);
  return Response.json({ ...token, createdAt: token.createdAt.toISOString() }, { status: 201 });
});
