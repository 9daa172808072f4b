import { readJson } from "@/lib/api/body";
import { clientIp } from "@/lib/api/client-ip";
import { publicRoute } from "@/lib/api/route";
import { tokenCreateWithPasswordSchema } from "@/lib/schemas/auth";
import { createTokenWithPassword } from "@/lib/services/tokens";

/** Exchanges an email and password for a personal API token, shown once. */
export const POST = publicRoute(async (req) => {
  const token = await createTokenWithPassword(await readJson(req, tokenCreateWithPasswordSchema), clientIp(req.headers));
  return Response.json(token, { status: 201 });
});
