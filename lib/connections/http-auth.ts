import "server-only";
import { EtlError } from "@/lib/etl/errors";
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

const MAX_REDIRECTS = 5;

/**
 * fetch that sends credentials only to their origin. Without credentials it is plain fetch. With
 * them, redirects are followed here rather than by fetch, which would carry a custom API-key
 * header to wherever a redirect points: a hop to another origin goes there without them.
 */
export async function fetchWithCredentials(url: URL, init: RequestInit, credentials: HttpCredentials | null): Promise<Response> {
  if (!credentials) return fetch(url, { ...init, redirect: "follow" });
  let target = url;
  let request = init;
  for (let hop = 0; ; hop++) {
    const headers = { ...(request.headers as Record<string, string>), ...(target.origin === credentials.origin ? credentials.headers : {}) };
    const response = await fetch(target, { ...request, headers, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new EtlError(`${target.origin}${target.pathname} redirected more than ${MAX_REDIRECTS} times.`, true);
    target = new URL(location, target);
    // As fetch does: 303, and 301/302 after a POST, continue as a GET without a body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === "POST")) {
      request = { ...request, method: "GET", body: undefined };
    }
  }
}
