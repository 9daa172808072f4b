import "server-only";
import type { NextRequest } from "next/server";
import { authenticate } from "@/lib/auth/authenticate";
import type { Permission } from "@/lib/auth/permissions";
import { type Principal, workspacesWith } from "@/lib/auth/principal";
import { forbidden, HttpError, toProblemResponse, unauthorized } from "./errors";

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export type HandlerContext = {
  req: NextRequest;
  url: URL;
  principal: Principal;
  params: Record<string, string>;
};

type Options = {
  /** The caller must hold this permission in at least one workspace; handlers then scope by workspace. */
  permission?: Permission;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The one wrapper every authenticated /api/v1 handler goes through: authenticate (session or
 * bearer token), refuse cross-site state changes made with the session cookie, check the
 * permission, run the handler, and map whatever it throws to problem+json.
 */
export function apiRoute(options: Options, handler: (ctx: HandlerContext) => Promise<Response>) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    try {
      const principal = await authenticate(req);
      if (!principal) throw unauthorized();
      if (principal.via === "session" && !SAFE_METHODS.has(req.method)) assertSameOrigin(req);
      if (options.permission && workspacesWith(principal, options.permission).length === 0) throw forbidden();
      const params = Object.fromEntries(
        Object.entries((await context.params) ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      return await handler({ req, url: new URL(req.url), principal, params });
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

// Cookie-authenticated writes must come from our own pages: a CSRF defence that needs no token,
// since browsers always send Origin on cross-origin POST, PATCH and DELETE.
function assertSameOrigin(req: NextRequest) {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!origin || !host || new URL(origin).host !== host) {
    throw new HttpError(403, "Cross-site request refused: state-changing requests must come from this site.");
  }
}
