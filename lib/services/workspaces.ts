import "server-only";
import { HttpError, notFound } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/principal";
import { db, sql } from "@/lib/db/client";
import {
  deleteWorkspace,
  getWorkspace,
  insertWorkspace,
  listWorkspaces,
  renameWorkspace,
  setDefaultWorkspace,
  type WorkspaceRow,
} from "@/lib/db/queries/workspaces";
import { env } from "@/lib/env";
import type { Workspace } from "@/lib/schemas/workspaces";
import { assertAccess } from "./access";
import { recordAudit } from "./audit";

function toWorkspaceDto(row: WorkspaceRow): Workspace {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), memberCount: row.memberCount, role: row.role };
}

/** The caller's workspaces; instance admins may ask for every workspace. */
export async function listWorkspacesFor(principal: Principal, all: boolean) {
  if (all && !principal.isInstanceAdmin) throw new HttpError(403, "Only instance admins can list every workspace.");
  const rows = await listWorkspaces(db, { userId: principal.userId, all });
  return rows.map(toWorkspaceDto);
}

/** Members (any role) and instance admins may read a workspace; anybody else gets 404. */
export async function readWorkspace(principal: Principal, id: string) {
  assertAccess(principal, id, "members:read", "workspace");
  const row = await getWorkspace(db, id, principal.userId);
  if (!row) throw notFound("workspace");
  return toWorkspaceDto(row);
}

/** Instance admins create workspaces; the creator becomes its first admin. */
export async function createWorkspace(principal: Principal, name: string) {
  const workspace = await insertWorkspace(db, name, principal.userId);
  await recordAudit(principal, {
    action: "workspace.create",
    target: { type: "workspace", id: workspace.id },
    workspaceId: workspace.id,
    details: { name },
  });
  return readWorkspaceAfterChange(principal, workspace.id);
}

export async function renameWorkspaceFor(principal: Principal, id: string, name: string) {
  assertAccess(principal, id, "workspace:update", "workspace");
  const before = await getWorkspace(db, id, principal.userId);
  if (!before || !(await renameWorkspace(db, id, name))) throw notFound("workspace");
  await recordAudit(principal, {
    action: "workspace.update",
    target: { type: "workspace", id },
    workspaceId: id,
    details: { name: { from: before.name, to: name } },
  });
  return readWorkspaceAfterChange(principal, id);
}

/** Deletes a workspace with its jobs, runs, datasets, files and memberships (instance admins). */
export async function removeWorkspace(principal: Principal, id: string) {
  const before = await getWorkspace(db, id, principal.userId);
  if (!before || !(await deleteWorkspace(sql, env.DATASET_SCHEMA, id))) throw notFound("workspace");
  await recordAudit(principal, {
    action: "workspace.delete",
    target: { type: "workspace", id },
    workspaceId: id,
    details: { name: before.name, memberCount: before.memberCount },
  });
}

/** The caller's default workspace is where jobs created without a workspaceId land. */
export async function switchDefaultWorkspace(principal: Principal, workspaceId: string) {
  if (!(await setDefaultWorkspace(db, principal.userId, workspaceId))) throw notFound("workspace");
}

async function readWorkspaceAfterChange(principal: Principal, id: string) {
  const row = await getWorkspace(db, id, principal.userId);
  if (!row) throw notFound("workspace");
  return toWorkspaceDto(row);
}
