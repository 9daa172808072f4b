import "server-only";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { db } from "@/lib/db/client";
import { redeemApiToken } from "@/lib/db/queries/tokens";
import { findUserById, listMemberships } from "@/lib/db/queries/users";
import { env } from "@/lib/env";
import type { Principal } from "./principal";

/**
 * Resolves the caller from a bearer token or the next-auth session cookie. Returns undefined when
 * neither identifies a live user; roles are loaded from the database on every call so a change of
 * membership takes effect on the next request.
 */
export async function authenticate(req: NextRequest): Promise<Principal | undefined> {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return undefined;
    const owner = await redeemApiToken(db, match[1]);
    return owner ? loadPrincipal(owner.userId, "token") : undefined;
  }
  const jwt = await getToken({ req, secret: env.NEXTAUTH_SECRET });
  return jwt?.sub ? loadPrincipal(jwt.sub, "session") : undefined;
}

async function loadPrincipal(userId: string, via: Principal["via"]): Promise<Principal | undefined> {
  const [user, memberships] = await Promise.all([findUserById(db, userId), listMemberships(db, userId)]);
  if (!user) return undefined;
  return { userId: user.id, email: user.email, isInstanceAdmin: user.isInstanceAdmin, memberships, via };
}
