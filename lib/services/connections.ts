import "server-only";
import { db } from "@/lib/db/client";
import {
  deleteConnection,
  getConnection,
  insertConnection,
  jobsUsingConnection,
  listConnections,
  updateConnection,
  type ConnectionRow,
} from "@/lib/db/queries/connections";
import { HttpError } from "@/lib/api/errors";
import { defaultWorkspace, workspacesWith, type Principal } from "@/lib/auth/principal";
import { resolveConnection } from "@/lib/connections/resolve";
import { testConnection } from "@/lib/connections/test-connection";
import { secrets } from "@/lib/crypto/secrets";
import {
  connectionCreateSchema,
  SECRET_MASK,
  splitConnection,
  type Connection,
  type ConnectionCreate,
  type ConnectionTestResult,
  type ConnectionType,
  type ConnectionUpdate,
} from "@/lib/schemas/connections";
import { assertAccess } from "./access";
import { assertReachableConnection, assertReachableUrl } from "./outbound-rules";
import { recordAudit } from "./audit";

export async function listConnectionsFor(
  principal: Principal,
  params: { q?: string; type?: ConnectionType; page: number; pageSize: number },
) {
  const workspaceIds = workspacesWith(principal, "connections:read");
  const { count, rows } = await listConnections(db, { workspaceIds, ...params });
  return { count, results: rows.map(toConnectionDto) };
}

async function loadConnection(principal: Principal, id: string, permission: "connections:read" | "connections:write") {
  const row = await getConnection(db, id);
  if (!row) throw new HttpError(404, "The connection does not exist.");
  assertAccess(principal, row.workspaceId, permission, "connection");
  return row;
}

export async function readConnection(principal: Principal, id: string): Promise<Connection> {
  return toConnectionDto(await loadConnection(principal, id, "connections:read"));
}

export async function createConnection(principal: Principal, input: ConnectionCreate): Promise<Connection> {
  const workspaceId = input.workspaceId ?? defaultWorkspace(principal);
  if (!workspaceId) throw new HttpError(403, "You are not a member of any workspace.");
  assertAccess(principal, workspaceId, "connections:write", "workspace");
  const { config, secret } = splitConnection(input);
  assertReachableConnection(config, input.type !== "http" && input.host === undefined ? "url" : "host");
  const row = await insertConnection(db, {
    workspaceId,
    name: input.name,
    config,
    secret: sealSecret(secret, null, input.type),
    createdBy: principal.userId,
  });
  await recordAudit(principal, {
    action: "connection.create",
    target: { type: "connection", id: row.id },
    workspaceId,
    details: { name: row.name, type: row.type },
  });
  return toConnectionDto(row);
}

export async function patchConnection(principal: Principal, id: string, patch: ConnectionUpdate): Promise<Connection> {
  const row = await loadConnection(principal, id, "connections:write");
  const input = connectionCreateSchema.parse(mergePatch(row, patch));
  const { config, secret } = splitConnection(input);
  assertReachableConnection(config, patch.host === undefined && patch.url !== undefined ? "url" : "host");
  const updated = await updateConnection(db, id, { name: input.name, config, secret: sealSecret(secret, row.secret, row.type) });
  if (!updated) throw new HttpError(404, "The connection does not exist.");
  await recordAudit(principal, {
    action: "connection.update",
    target: { type: "connection", id },
    workspaceId: row.workspaceId,
    // Field names only, never values: one of them may be the secret.
    details: { name: updated.name, changed: Object.keys(stripUndefined(patch)).sort() },
  });
  return toConnectionDto(updated);
}

/** Deletes the connection unless a job still refers to it (409 naming the jobs). */
export async function removeConnection(principal: Principal, id: string): Promise<void> {
  const row = await loadConnection(principal, id, "connections:write");
  const users = await jobsUsingConnection(db, row.workspaceId, row.id);
  if (users.length > 0) {
    const names = users.slice(0, 5).map((name) => `"${name}"`).join(", ") + (users.length > 5 ? ` and ${users.length - 5} more` : "");
    throw new HttpError(409, `The connection is used by ${users.length === 1 ? "the job" : "the jobs"} ${names}; change or delete them first.`);
  }
  await deleteConnection(db, row.id);
  await recordAudit(principal, {
    action: "connection.delete",
    target: { type: "connection", id: row.id },
    workspaceId: row.workspaceId,
    details: { name: row.name, type: row.type },
  });
}

export async function testSavedConnection(principal: Principal, id: string, input: { url?: string }): Promise<ConnectionTestResult> {
  const row = await loadConnection(principal, id, "connections:write");
  if (row.type === "http" && !input.url) {
    throw new HttpError(422, "The request did not validate.", [{ path: "url", message: "is required to test an http connection" }]);
  }
  assertReachableUrl(input.url, "url");
  return testConnection(resolveConnection(row), input);
}

/**
 * The create body equivalent to the stored connection with the patch applied: the secret stands in
 * as SECRET_MASK (keep it), and a new `url` replaces the whole address as it does on create.
 */
function mergePatch(row: ConnectionRow, patch: ConnectionUpdate): unknown {
  const { name = row.name, password, ...fields } = patch;
  const base = { type: row.type, name };
  const config = row.config;
  if (config.type === "http") {
    const { type: authType, ...authFields } = config.auth;
    const secretField = authType === "bearer" ? "token" : authType === "basic" ? "password" : "value";
    const auth = { type: authType, ...authFields, [secretField]: SECRET_MASK };
    return stripUndefined({ ...base, auth, ...fields, password });
  }
  const { type: _type, ...address } = config;
  const storedPassword = row.secret === null ? undefined : SECRET_MASK;
  const stored = fields.url === undefined ? address : {};
  // With a new url, a password it carries wins over the stored one, as on create.
  const keptPassword = fields.url === undefined ? storedPassword : undefined;
  return stripUndefined({ ...base, ...stored, ...fields, password: password === null ? undefined : (password ?? keptPassword) });
}

/** Encrypts a new secret; SECRET_MASK keeps the stored one, which must then exist. */
function sealSecret(secret: string | undefined, stored: string | null, type: ConnectionType): string | null {
  if (secret === undefined) return null;
  if (secret !== SECRET_MASK) return secrets().encrypt(secret);
  if (stored !== null) return stored;
  throw new HttpError(422, "The request did not validate.", [
    { path: type === "http" ? "auth" : "password", message: `"${SECRET_MASK}" keeps a stored secret, and there is none: send the secret itself` },
  ]);
}

function toConnectionDto(row: ConnectionRow): Connection {
  const head = { id: row.id, workspaceId: row.workspaceId, name: row.name };
  const times = { createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
  const config = row.config;
  if (config.type !== "http") {
    const { type, host, port, database, user, ssl } = config;
    return { ...head, type, host, port, database, user, ssl, password: row.secret === null ? null : SECRET_MASK, ...times };
  }
  const auth = config.auth;
  switch (auth.type) {
    case "bearer":
      return { ...head, type: "http", auth: { type: "bearer", token: SECRET_MASK }, ...times };
    case "basic":
      return { ...head, type: "http", auth: { type: "basic", username: auth.username, password: SECRET_MASK }, ...times };
    case "api_key":
      return { ...head, type: "http", auth: { type: "api_key", header: auth.header, value: SECRET_MASK }, ...times };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
