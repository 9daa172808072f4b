import "server-only";
import { HttpError, notFound } from "@/lib/api/errors";
import { consume } from "@/lib/api/rate-limit";
import type { Principal } from "@/lib/auth/principal";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { db } from "@/lib/db/client";
import { createApiToken, listApiTokens, revokeApiToken } from "@/lib/db/queries/tokens";
import type { ApiToken, TokenCreate } from "@/lib/schemas/auth";
import { recordAudit, type Actor } from "./audit";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listTokensFor(principal: Principal): Promise<ApiToken[]> {
  const tokens = await listApiTokens(db, principal.userId);
  return tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt) }));
}

async function issueToken(actor: Actor, input: TokenCreate) {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  const token = await createApiToken(db, actor.userId, input.name, { expiresAt, roleCap: input.roleCap ?? null });
  await recordAudit(actor, {
    action: "token.create",
    target: { type: "token", id: token.id },
    details: { name: token.name, roleCap: token.roleCap, expiresAt: iso(token.expiresAt) },
  });
  // The shape SPEC.md promises: the secret is in this answer and nowhere else, ever.
  return { id: token.id, name: token.name, token: token.token, createdAt: token.createdAt.toISOString() };
}

/** A new token for the signed-in caller; counted against the per-IP token-creation budget. */
export async function createTokenFor(principal: Principal, input: TokenCreate) {
  if (principal.ip) await consume("credentialsPerIp", principal.ip);
  return issueToken(principal, input);
}

/** POST /api/v1/auth/token: an email and password exchanged for a token, throttled and audited as a sign-in. */
export async function createTokenWithPassword(input: TokenCreate & { email: string; password: string }, ip: string | null) {
  const user = await signInWithPassword({ email: input.email, password: input.password, ip, purpose: "api_token" });
  if (!user) throw new HttpError(401, "Wrong email or password.");
  return issueToken({ userId: user.id, email: user.email, ip }, input);
}

export async function revokeTokenFor(principal: Principal, id: string): Promise<void> {
  const revoked = await revokeApiToken(db, principal.userId, id);
  if (!revoked) throw notFound("token");
  await recordAudit(principal, { action: "token.revoke", target: { type: "token", id }, details: { name: revoked.name } });
}
