import "server-only";
import type { NextRequest } from "next/server";
import { authenticate } from "@/lib/auth/authenticate";
import type { Permission } from "@/lib/auth/permissions";
import { holdsPermission, type Principal } from "@/lib/auth/principal";
import { env } from "@/lib/env";
import { forbidden, HttpError, toProblemResponse, unauthorized } from "./errors";
import { consume } from "./rate-limit";

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export type HandlerContext = {
  req: NextRequest;
  url: URL;
  principal: Principal;
  params: Record<string, string>;
};

type Options = {
  /**
   * Checked here: the caller must hold this permission somewhere (a workspace role, instance
   * admin, or their own account); services then check it per workspace with assertAccess.
   */
  permission?: Permission;
  /**
   * For routes that address one object in a workspace: declared here, checked by the service
   * against the object's workspace, because only there can "not a member" (404, as if it did
   * not exist) be told from "role too low" (403).
   */
  objectPermission?: Permission;
  /**
   * false: no API_REQUEST_TIMEOUT_MS deadline. For uploads, whose handler reads the body as it
   * arrives: a large file on a slow link takes longer than any deadline, and answering 503 while
   * the upload goes on being stored would tell the client it failed when it did not.
   */
  deadline?: false;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The one wrapper every authenticated /api/v1 handler goes through: authenticate (session or
 * bearer token), refuse cross-site state changes made with the session cookie, throttle per token
 * or user, check the permission, run the handler under a deadline, and map whatever it throws to
 * problem+json.
 */
export function apiRoute(options: Options, handler: (ctx: HandlerContext) => Promise<Response>) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    try {
      const principal = await authenticate(req);
      if (!principal) throw unauthorized();
      if (principal.via === "session" && !SAFE_METHODS.has(req.method)) assertSameOrigin(req);
      await consume("api", principal.tokenId ? `token:${principal.tokenId}` : `user:${principal.userId}`);
      if (options.permission && !holdsPermission(principal, options.permission)) throw forbidden();
      const params = Object.fromEntries(
        Object.entries((await context.params) ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      const response = handler({ req, url: new URL(req.url), principal, params });
      return await (options.deadline === false ? response : withDeadline(response));
    } catch (error) {
      return toProblemResponse(error);
    }
  };
}

/** Handlers that need no caller (health, token creation with a password) still answer problem+json. */
export function publicRoute(handler: (req: NextRequest) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    try {
      return await handler(req);
    } catch (error) {
      return toProblemResponse(error);
    }
  };
}

/**
 * Caps the time until a handler has its response. Streaming downloads return their response at
 * once and are not cut; the abandoned work of a handler past the deadline still finishes (or
 * hits its own timeouts), but the caller gets an answer.
 */
async function withDeadline(response: Promise<Response>): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = Math.round(env.API_REQUEST_TIMEOUT_MS / 1000);
      reject(new HttpError(503, `The request took longer than ${seconds} s; narrow it down or retry later.`, undefined, { "retry-after": "5" }));
    }, env.API_REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([response, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Cookie-authenticated writes must come from our own pages: a CSRF defence that needs no token,
// since browsers always send Origin on cross-origin POST, PATCH and DELETE.
function assertSameOrigin(req: NextRequest) {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!origin || !host || new URL(origin).host !== host) {
    throw new HttpError(403, "Cross-site request refused: state-changing requests must come from this site.");
  }
}
