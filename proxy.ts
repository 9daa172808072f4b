import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { API_POLICY, baseSecurityHeaders, DOCS_POLICY, newNonce, pagePolicy } from "@/lib/security/headers";

const PUBLIC_PAGES = ["/signin"];

/**
 * Runs before every page and API request: puts security headers on every response, gives each
 * page render a CSP nonce, and sends signed-out visitors of app pages to the sign-in page. It
 * never authorizes: API routes authenticate and check permissions themselves (lib/api/route.ts).
 */
export async function proxy(req: NextRequest) {
  const path = req.nextUrl.pathname;
  const https = isHttps(req);
  const headers = baseSecurityHeaders({ https });

  if (path === "/api" || path.startsWith("/api/")) {
    const policy = path === "/api/docs" || path.startsWith("/api/docs/") ? DOCS_POLICY : API_POLICY;
    return withHeaders(NextResponse.next(), { ...headers, "content-security-policy": policy });
  }

  const nonce = newNonce();
  const policy = pagePolicy(nonce, { https, dev: env.NODE_ENV === "development" });
  const pageHeaders = { ...headers, "content-security-policy": policy };

  const isPublic = PUBLIC_PAGES.some((page) => path === page || path.startsWith(`${page}/`));
  if (!isPublic && !(await getToken({ req, secret: env.NEXTAUTH_SECRET }))) {
    const signIn = new URL("/signin", req.url);
    const target = path + req.nextUrl.search;
    if (target !== "/") signIn.searchParams.set("callbackUrl", target);
    return withHeaders(NextResponse.redirect(signIn), pageHeaders);
  }

  // Next.js takes the nonce for its scripts from the request's CSP header.
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  return withHeaders(NextResponse.next({ request: { headers: requestHeaders } }), pageHeaders);
}

// TLS ends at the reverse proxy in production, which says so in X-Forwarded-Proto.
function isHttps(req: NextRequest): boolean {
  const forwarded = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return forwarded ? forwarded === "https" : req.nextUrl.protocol === "https:";
}

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but build assets, which carry no user content and are served with their own caching.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
