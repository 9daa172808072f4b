import "server-only";
import { HttpError, notFound } from "@/lib/api/errors";
import type { Role } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { db } from "@/lib/db/client";
import { findUserByEmail } from "@/lib/db/queries/users";
import { changeMember, getMember, insertMember, listMembers, type MemberRow } from "@/lib/db/queries/workspaces";
import type { Member } from "@/lib/schemas/workspaces";
import { assertAccess } from "./access";
import { recordAudit } from "./audit";

function toMemberDto(row: MemberRow): Member {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

const lastAdmin = () =>
  new HttpError(409, "A workspace needs at least one active admin: make someone else admin first.");

export async function listMembersOf(principal: Principal, workspaceId: string) {
  assertAccess(principal, workspaceId, "members:read", "workspace");
  return (await listMembers(db, workspaceId)).map(toMemberDto);
}

/** Adds an existing user by email; users themselves are created by an instance admin. */
export async function addMember(principal: Principal, workspaceId: string, input: { email: string; role: Role }) {
  assertAccess(principal, workspaceId, "members:manage", "workspace");
  const user = await findUserByEmail(db, input.email);
  if (!user) {
    throw new HttpError(422, "No user has this email; an instance admin creates users.", [
      { path: "email", message: "no user with this email" },
    ]);
  }
  if (!(await insertMember(db, workspaceId, user.id, input.role))) {
    throw new HttpError(409, "This user is already a member; change their role instead.");
  }
  await recordAudit(principal, {
    action: "member.add",
    target: { type: "user", id: user.id },
    workspaceId,
    details: { email: user.email, role: input.role },
  });
  return toMemberDto((await getMember(db, workspaceId, user.id))!);
}

export async function changeMemberRole(principal: Principal, workspaceId: string, userId: string, role: Role) {
  assertAccess(principal, workspaceId, "members:manage", "workspace");
  const result = await changeMember(db, workspaceId, userId, role);
  if (result.outcome === "not_found") throw notFound("member");
  if (result.outcome === "last_admin") throw lastAdmin();
  const member = (await getMember(db, workspaceId, userId))!;
  await recordAudit(principal, {
    action: "member.update",
    target: { type: "user", id: userId },
    workspaceId,
    details: { email: member.email, role: { from: result.previousRole, to: role } },
  });
  return toMemberDto(member);
}

export async function removeMember(principal: Principal, workspaceId: string, userId: string) {
  assertAccess(principal, workspaceId, "members:manage", "workspace");
  const member = await getMember(db, workspaceId, userId);
  const result = await changeMember(db, workspaceId, userId, null);
  if (result.outcome === "not_found" || !member) throw notFound("member");
  if (result.outcome === "last_admin") throw lastAdmin();
  await recordAudit(principal, {
    action: "member.remove",
    target: { type: "user", id: userId },
    workspaceId,
    details: { email: member.email, role: result.previousRole },
  });
}
