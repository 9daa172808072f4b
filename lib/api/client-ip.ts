import { isIP } from "node:net";
import { env } from "@/lib/env";

/**
 * The client's address, from X-Forwarded-For: the entry TRUSTED_PROXY_HOPS places from the right,
 * which the nearest trusted proxy wrote (Next.js itself writes the socket address when the header
 * is missing). Entries further left are whatever the client claimed. Null when there is no usable
 * address, as for a handler called outside Next's server.
 */
export function clientIp(headers: Headers): string | null {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = entries[Math.max(0, entries.length - env.TRUSTED_PROXY_HOPS)];
  if (!candidate) return null;
  const address = candidate.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(address) ? address.toLowerCase() : null;
}
