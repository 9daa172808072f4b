import "server-only";
import { HttpError, notFound } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/principal";
import { db } from "@/lib/db/client";
import { createUserAccount, deleteUser, findUserById, listUsers, updateUser, type UserOutcome } from "@/lib/db/queries/users";
import type { User, UserCreate, UserUpdate } from "@/lib/schemas/users";
import { recordAudit } from "./audit";

type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;

function toUserDto(user: UserRow): User {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isInstanceAdmin: user.isInstanceAdmin,
    active: user.deactivatedAt === null,
    createdAt: user.createdAt.toISOString(),
    deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
  };
}

export async function listUsersFor(params: { q?: string; page: number; pageSize: number }) {
  const { count, rows } = await listUsers(db, params);
  return { count, results: rows.map(toUserDto) };
}

export async function readUser(id: string) {
  const user = await findUserById(db, id);
  if (!user) throw notFound("user");
  return toUserDto(user);
}

export async function createUser(principal: Principal, input: UserCreate) {
  const user = await createUserAccount(db, input);
  await recordAudit(principal, {
    action: "user.create",
    target: { type: "user", id: user.id },
    details: { email: user.email, isInstanceAdmin: user.isInstanceAdmin, personalWorkspace: input.personalWorkspace },
  });
  return toUserDto(user);
}

function refusal(outcome: Exclude<UserOutcome, { outcome: "done" }>): HttpError {
  switch (outcome.outcome) {
    case "not_found":
      return notFound("user");
    case "last_instance_admin":
      return new HttpError(409, "This is the last active instance admin: make someone else instance admin first.");
    case "last_workspace_admin":
      return new HttpError(
        409,
        `The user is the only admin of workspaces that have other members (${outcome.workspaceIds.join(", ")}): give them another admin first.`,
      );
  }
}

export async function patchUser(principal: Principal, id: string, change: UserUpdate) {
  if (id === principal.userId && (change.active === false || change.isInstanceAdmin === false)) {
    throw new HttpError(409, "You cannot deactivate yourself or drop your own instance admin role.");
  }
  const result = await updateUser(db, id, change);
  if (result.outcome !== "done") throw refusal(result);
  // Which fields changed, never their values when secret: the password is only named.
  const { password, ...visible } = change;
  await recordAudit(principal, {
    action: "user.update",
    target: { type: "user", id },
    details: { email: result.user.email, ...visible, ...(password ? { passwordChanged: true } : {}) },
  });
  return toUserDto(result.user);
}

export async function removeUser(principal: Principal, id: string) {
  if (id === principal.userId) throw new HttpError(409, "You cannot delete your own account.");
  const result = await deleteUser(db, id);
  if (result.outcome !== "done") throw refusal(result);
  await recordAudit(principal, {
    action: "user.delete",
    target: { type: "user", id },
    details: { email: result.user.email },
  });
}
