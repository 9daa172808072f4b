import "server-only";
import { safeFetch, type OutboundRequest, type OutboundResponse } from "@/lib/security/outbound";
import { connectionForRun, type ResolvedHttpConnection } from "./resolve";

/** The request headers that carry a saved HTTP connection's credentials. */
export function authHeaders(connection: ResolvedHttpConnection): Record<string, string> {
  const secret = connection.secret ?? "";
  const auth = connection.auth;
  switch (auth.type) {
    case "bearer":
      return { authorization: `Bearer ${secret}` };
    case "basic":
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${secret}`, "utf8").toString("base64")}` };
    case "api_key":
      return { [auth.header.toLowerCase()]: secret };
  }
}

/** Credentials and the one origin they may be sent to: the source URL's. */
export type HttpCredentials = { origin: string; headers: Record<string, string> };

export async function httpCredentials(workspaceId: string, connectionId: string, sourceUrl: string): Promise<HttpCredentials> {
  const connection = await connectionForRun(workspaceId, connectionId, "http");
  return { origin: new URL(sourceUrl).origin, headers: authHeaders(connection) };
}

/**
 * Fetches through the outbound guard (lib/security/outbound.ts: public addresses only, redirects
 * followed and checked there) and sends credentials only to their own origin: a redirect to
 * another origin goes there without them, whatever header carries them.
 */
export function fetchWithCredentials(url: URL, init: OutboundRequest, credentials: HttpCredentials | null): Promise<OutboundResponse> {
  return safeFetch(url, init, {
    headersFor: (target) => (credentials && target.origin === credentials.origin ? credentials.headers : {}),
  });
}
