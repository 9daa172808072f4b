import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { apiTokens } from "@/lib/db/schema";
import type { Role } from "@/lib/auth/permissions";

const TOKEN_PREFIX = "dfh_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export type ApiTokenOptions = { expiresAt?: Date | null; roleCap?: Role | null };

export async function createApiToken(db: Db, userId: string, name: string, options: ApiTokenOptions = {}) {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const [row] = await db
    .insert(apiTokens)
    .values({
      userId,
      name,
      tokenHash: hashToken(token),
      prefix: token.slice(0, 10),
      expiresAt: options.expiresAt ?? null,
      roleCap: options.roleCap ?? null,
    })
    .returning({
      id: apiTokens.id,
      name: apiTokens.name,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      roleCap: apiTokens.roleCap,
    });
  return { ...row!, token };
}

/** The user's tokens that are not revoked, expired ones included so the user sees why one stopped working. */
export async function listApiTokens(db: Db, userId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      roleCap: apiTokens.roleCap,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string) {
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, name: apiTokens.name });
  return revoked;
}

export type RedeemedToken = { tokenId: string; userId: string; roleCap: Role | null };

/**
 * The live token matching `token`, or undefined for unknown, revoked or expired ones. Its
 * last-used time is written at most once a minute, so a busy integration does not turn every
 * request into a write; the conditional update keeps that true across processes.
 */
export async function redeemApiToken(db: Db, token: string): Promise<RedeemedToken | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const [row] = await db
    .select({ tokenId: apiTokens.id, userId: apiTokens.userId, roleCap: apiTokens.roleCap, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date())),
      ),
    )
    .limit(1);
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= 60_000) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(
        and(
          eq(apiTokens.id, row.tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, dsql`now() - interval '1 minute'`)),
        ),
      );
  }
  return { tokenId: row.tokenId, userId: row.userId, roleCap: row.roleCap };
}
