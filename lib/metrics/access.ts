import "server-only";
import { timingSafeEqual } from "node:crypto";
import type { NextRequest } from "next/server";
import { HttpError, unauthorized } from "@/lib/api/errors";
import { authenticate } from "@/lib/auth/authenticate";
import { env } from "@/lib/env";

function isMetricsToken(authorization: string | null): boolean {
  const token = env.METRICS_TOKEN;
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Metrics describe the whole installation, so they are for its operators: a scraper presenting
 * METRICS_TOKEN as a bearer token, or an instance admin (session or uncapped API token).
 */
export async function assertMetricsReader(req: NextRequest): Promise<void> {
  if (isMetricsToken(req.headers.get("authorization"))) return;
  const principal = await authenticate(req);
  if (!principal) throw unauthorized();
  if (!principal.isInstanceAdmin) throw new HttpError(403, "Metrics are for instance admins and the METRICS_TOKEN scraper.");
}
