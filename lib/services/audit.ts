import "server-only";
import { db } from "@/lib/db/client";
import { insertAuditEvent, listAuditEvents, type AuditRow } from "@/lib/db/queries/audit";
import { workspacesWith, type Principal } from "@/lib/auth/principal";
import type { AuditAction, AuditEvent, AuditQuery } from "@/lib/schemas/audit";
import { assertAccess } from "./access";

export type AuditEntry = {
  action: AuditAction;
  target: { type: string; id?: string | null };
  workspaceId?: string | null;
  /** What changed, for people reading the trail; values under secret-looking keys are masked. */
  details?: Record<string, unknown>;
};

const SECRET_KEY = /pass(word)?|secret|^token$|api[-_]?key|authorization|private[-_]?key|credential/i;

/**
 * Masks strings and numbers under secret-looking keys at any depth: the trail must never hold a
 * credential. Flags such as `passwordChanged: true` say nothing secret and stay readable.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) && (typeof inner === "string" || typeof inner === "number") ? "••••" : redactSecrets(inner),
      ]),
    );
  }
  return value;
}

/**
 * Writes one event for something the caller did. Called after the change succeeded, so the trail
 * never claims what did not happen; a failure to write it fails the request loudly.
 */
export type Actor = Pick<Principal, "userId" | "email" | "tokenId" | "ip">;

export async function recordAudit(principal: Actor, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(db, {
    actorId: principal.userId,
    actorEmail: principal.email,
    tokenId: principal.tokenId ?? null,
    action: entry.action,
    targetType: entry.target.type,
    targetId: entry.target.id ?? null,
    workspaceId: entry.workspaceId ?? null,
    ip: principal.ip ?? null,
    details: redactSecrets(entry.details ?? {}) as Record<string, unknown>,
  });
}

export type SignInAttempt = {
  email: string;
  userId: string | null;
  ip: string | null;
  /** What the password was exchanged for. */
  purpose: "session" | "api_token";
  failure?: "wrong_credentials" | "deactivated";
};

/**
 * Sign-ins have no principal yet: the attempted email stands for the actor. A failed attempt's
 * target is the account it tried, if that exists, but nobody is recorded as having acted.
 */
export async function recordSignIn(attempt: SignInAttempt): Promise<void> {
  await insertAuditEvent(db, {
    actorId: attempt.failure ? null : attempt.userId,
    actorEmail: attempt.email.slice(0, 320),
    action: attempt.failure ? "auth.sign_in_failed" : "auth.sign_in",
    targetType: "user",
    targetId: attempt.userId,
    ip: attempt.ip,
    details: { purpose: attempt.purpose, ...(attempt.failure ? { reason: attempt.failure } : {}) },
  });
}

function toAuditEventDto(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { id: row.actorId, email: row.actorEmail },
    tokenId: row.tokenId,
    action: row.action as AuditEvent["action"],
    target: { type: row.targetType, id: row.targetId },
    workspaceId: row.workspaceId,
    ip: row.ip,
    details: row.details,
  };
}

/**
 * Instance admins read every event (sign-ins, users and tokens have no workspace); workspace
 * admins read the events of the workspaces they administer.
 */
export async function listAuditFor(principal: Principal, query: AuditQuery) {
  if (query.workspaceId) assertAccess(principal, query.workspaceId, "audit:read", "workspace");
  const workspaceIds = principal.isInstanceAdmin ? null : workspacesWith(principal, "audit:read");
  const { count, rows } = await listAuditEvents(db, { ...query, workspaceIds });
  return { count, results: rows.map(toAuditEventDto) };
}
