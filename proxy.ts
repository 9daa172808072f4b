import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";

/**
 * Sends signed-out visitors of app pages to the sign-in page. It only redirects: API routes
 * authenticate and authorize every request themselves in lib/api/route.ts.
 */
export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const signIn = new URL("/signin", req.url);
  const target = req.nextUrl.pathname + req.nextUrl.search;
  if (target !== "/") signIn.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/((?!api/|_next/|signin|favicon.ico).*)"],
};
