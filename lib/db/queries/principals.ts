import "server-only";
import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { apiTokens, memberships, users } from "@/lib/db/schema";
import type { Membership } from "@/lib/auth/principal";

/** An active user with every membership, read in the same statement as the credential. */
const userFields = {
  userId: users.id,
  email: users.email,
  isInstanceAdmin: users.isInstanceAdmin,
  memberships: sql<Membership[]>`coalesce((
    SELECT json_agg(json_build_object('workspaceId', m.workspace_id, 'role', m.role, 'isDefault', m.is_default))
    FROM ${memberships} m WHERE m.user_id = ${users.id}), '[]'::json)`,
};

const byTokenHash = prepared((db) =>
  db
    .select({
      ...userFields,
      tokenId: apiTokens.id,
      roleCap: apiTokens.roleCap,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, sql.placeholder("hash")),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
        isNull(users.deactivatedAt),
      ),
    )
    .limit(1)
    .prepare("principal_by_token_hash"),
);

const byUserId = prepared((db) =>
  db
    .select(userFields)
    .from(users)
    .where(and(eq(users.id, sql.placeholder("id")), isNull(users.deactivatedAt)))
    .limit(1)
    .prepare("principal_by_user_id"),
);

/** The live (not revoked, not expired) token with this hash and its active user, in one round trip. */
export async function findTokenPrincipal(db: Db, tokenHash: string) {
  const [row] = await byTokenHash(db).execute({ hash: tokenHash });
  return row;
}

/** An active user and their memberships, in one round trip. */
export async function findUserPrincipal(db: Db, userId: string) {
  const [row] = await byUserId(db).execute({ id: userId });
  return row;
}
