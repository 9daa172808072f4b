import "server-only";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { clientIp } from "@/lib/api/client-ip";
import { db } from "@/lib/db/client";
import { findTokenPrincipal, findUserPrincipal } from "@/lib/db/queries/principals";
import { hashToken, isApiTokenFormat, tokenUseIsStale, touchApiToken } from "@/lib/db/queries/tokens";
import { env } from "@/lib/env";
import { minRole } from "./permissions";
import type { Principal } from "./principal";
import { cachedPrincipal, type Resolved } from "./principal-cache";

/**
 * Resolves the caller from a bearer token or the next-auth session cookie. Returns undefined when
 * neither identifies a live, active user. Token, user and memberships are one query, its answer
 * reused for at most PRINCIPAL_CACHE_MS (lib/auth/principal-cache.ts): a revocation, deactivation
 * or change of membership applies to the next request when made through this process, and within
 * that bound when made through another.
 */
export async function authenticate(req: NextRequest): Promise<Principal | undefined> {
  const ip = clientIp(req.headers);
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1] || !isApiTokenFormat(match[1])) return undefined;
    const hash = hashToken(match[1]);
    const principal = await cachedPrincipal(`token:${hash}`, () => resolveToken(hash));
    return principal && { ...principal, ip };
  }
  const jwt = await getToken({ req, secret: env.NEXTAUTH_SECRET });
  if (!jwt?.sub) return undefined;
  const userId = jwt.sub;
  const principal = await cachedPrincipal(`session:${userId}`, () => resolveSession(userId));
  return principal && { ...principal, ip };
}

async function resolveToken(hash: string): Promise<Resolved | undefined> {
  const row = await findTokenPrincipal(db, hash);
  if (!row) return undefined;
  if (tokenUseIsStale(row.lastUsedAt)) await touchApiToken(db, row.tokenId);
  const cap = row.roleCap;
  return {
    principal: {
      userId: row.userId,
      email: row.email,
      isInstanceAdmin: row.isInstanceAdmin && !cap,
      memberships: cap ? row.memberships.map((m) => ({ ...m, role: minRole(m.role, cap) })) : row.memberships,
      via: "token",
      tokenId: row.tokenId,
      roleCap: cap,
    },
    validUntil: row.expiresAt?.getTime(),
  };
}

async function resolveSession(userId: string): Promise<Resolved | undefined> {
  const row = await findUserPrincipal(db, userId);
  if (!row) return undefined;
  const { email, isInstanceAdmin, memberships } = row;
  return { principal: { userId: row.userId, email, isInstanceAdmin, memberships, via: "session", roleCap: null } };
}
