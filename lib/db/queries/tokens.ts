import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql as dsql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { apiTokens } from "@/lib/db/schema";
import type { Role } from "@/lib/auth/permissions";
import { forgetPrincipals } from "@/lib/auth/principal-cache";

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
  if (revoked) forgetPrincipals();
  return revoked;
}

/** Whether `token` has our tokens' form; anything else is refused without a lookup. */
export function isApiTokenFormat(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

/** A token's last use is written at most once a minute, so a busy integration does not turn every request into a write. */
export function tokenUseIsStale(lastUsedAt: Date | null, now = Date.now()): boolean {
  return !lastUsedAt || now - lastUsedAt.getTime() >= 60_000;
}

/** Records a token's use; the condition keeps it to once a minute across processes too. */
export async function touchApiToken(db: Db, tokenId: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, dsql`now() - interval '1 minute'`))));
}
