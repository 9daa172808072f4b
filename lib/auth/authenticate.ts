import "server-only";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { clientIp } from "@/lib/api/client-ip";
import { db } from "@/lib/db/client";
import { redeemApiToken } from "@/lib/db/queries/tokens";
import { findUserById, listMemberships } from "@/lib/db/queries/users";
import { env } from "@/lib/env";
import { minRole, type Role } from "./permissions";
import type { Principal } from "./principal";

/**
 * Resolves the caller from a bearer token or the next-auth session cookie. Returns undefined when
 * neither identifies a live, active user; user, roles and token are read from the database on
 * every call, so a deactivation, a change of membership or a revocation takes effect on the next
 * request.
 */
export async function authenticate(req: NextRequest): Promise<Principal | undefined> {
  const ip = clientIp(req.headers);
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return undefined;
    const token = await redeemApiToken(db, match[1]);
    if (!token) return undefined;
    return loadPrincipal(token.userId, { via: "token", tokenId: token.tokenId, roleCap: token.roleCap, ip });
  }
  const jwt = await getToken({ req, secret: env.NEXTAUTH_SECRET });
  return jwt?.sub ? loadPrincipal(jwt.sub, { via: "session", roleCap: null, ip }) : undefined;
}

type Credential = { via: Principal["via"]; tokenId?: string; roleCap: Role | null; ip: string | null };

async function loadPrincipal(userId: string, credential: Credential): Promise<Principal | undefined> {
  const [user, memberships] = await Promise.all([findUserById(db, userId), listMemberships(db, userId)]);
  if (!user || user.deactivatedAt) return undefined;
  const cap = credential.roleCap;
  return {
    userId: user.id,
    email: user.email,
    isInstanceAdmin: user.isInstanceAdmin && !cap,
    memberships: cap ? memberships.map((m) => ({ ...m, role: minRole(m.role, cap) })) : memberships,
    ...credential,
  };
}
