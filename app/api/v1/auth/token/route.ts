import { readJson } from "@/lib/api/body";
import { HttpError } from "@/lib/api/errors";
import { publicRoute } from "@/lib/api/route";
import { checkCredentials } from "@/lib/auth/options";
import { db } from "@/lib/db/client";
import { createApiToken } from "@/lib/db/queries/tokens";
import { tokenCreateWithPasswordSchema } from "@/lib/schemas/auth";

/** Exchanges an email and password for a personal API token, shown once. */
export const POST = publicRoute(async (req) => {
  const body = await readJson(req, tokenCreateWithPasswordSchema);
  const user = await checkCredentials(body.email, body.password);
  if (!user) throw new HttpError(401, "Wrong email or password.");
  const token = await createApiToken(db, user.id, body.name);
  return Response.json({ ...token, createdAt: token.createdAt.toISOString() }, { status: 201 });
});
