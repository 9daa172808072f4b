import "server-only";
import type { Readable } from "node:stream";
import { db, sql, type Sql } from "@/lib/db/client";
import { deleteFile, getFile, jobsUsingFile, listFiles, type FileRow } from "@/lib/db/queries/files";
import { HttpError } from "@/lib/api/errors";
import type { UploadedPart } from "@/lib/api/multipart";
import { defaultWorkspace, workspacesWith, type Principal } from "@/lib/auth/principal";
import { detectFormat } from "@/lib/files/format";
import { pgFileStorage } from "@/lib/files/storage";
import type { FileDto } from "@/lib/schemas/files";
import { assertAccess } from "./access";
import { recordAudit } from "./audit";

/** Enough of the start of a file to tell a zip archive, JSON, NDJSON and binary content apart. */
const SNIFF_BYTES = 64 * 1024;

export function toFileDto(file: FileRow): FileDto {
  return {
    id: file.id,
    workspaceId: file.workspaceId,
    name: file.name,
    size: file.size,
    format: file.format,
    sha256: file.sha256,
    createdAt: file.createdAt.toISOString(),
  };
}

/** The workspace an upload goes to, checked before a byte of the body is read. */
export function uploadWorkspace(principal: Principal, workspaceId: string | undefined): string {
  const target = workspaceId ?? defaultWorkspace(principal);
  if (!target) throw new HttpError(403, "You are not a member of any workspace.");
  assertAccess(principal, target, "files:write", "workspace");
  return target;
}

/**
 * Stores an upload as it streams in: the format is decided from the name and the first bytes,
 * then the row and every chunk are written in one transaction, so a refused, oversized or
 * interrupted upload leaves nothing behind.
 */
export async function storeUpload(principal: Principal, workspaceId: string, part: UploadedPart, maxBytes: number): Promise<FileDto> {
  const { head, rest } = await peek(part.stream, SNIFF_BYTES);
  const detection = detectFormat(part.name, head);
  if ("refused" in detection) throw new HttpError(415, detection.refused);
  const file = await sql.begin(async (transaction) => {
    const tx = transaction as unknown as Sql;
    const [row] = await tx<{ id: string }[]>`
      INSERT INTO files (workspace_id, name, format, size, sha256, created_by)
      VALUES (${workspaceId}, ${part.name}, ${detection.format}, 0, '', ${principal.userId}) RETURNING id`;
    const stored = await pgFileStorage(tx).put(row!.id, rest, { maxBytes });
    if (stored.size === 0) throw new HttpError(422, `"${part.name}" is empty.`);
    await tx`UPDATE files SET size = ${stored.size}, sha256 = ${stored.sha256} WHERE id = ${row!.id}`;
    return row!.id;
  });
  const stored = toFileDto((await getFile(db, file))!);
  await recordAudit(principal, {
    action: "file.upload",
    target: { type: "file", id: stored.id },
    workspaceId,
    details: { name: stored.name, format: stored.format, size: stored.size, sha256: stored.sha256 },
  });
  return stored;
}

export async function listFilesFor(principal: Principal, params: { workspaceId?: string; q?: string; page: number; pageSize: number }) {
  let workspaceIds = workspacesWith(principal, "files:read");
  if (params.workspaceId) workspaceIds = workspaceIds.filter((id) => id === params.workspaceId);
  const { count, rows } = await listFiles(db, { workspaceIds, q: params.q, page: params.page, pageSize: params.pageSize });
  return { count, results: rows.map(toFileDto) };
}

export async function readFile(principal: Principal, id: string): Promise<FileDto> {
  const file = await getFile(db, id);
  if (!file) throw new HttpError(404, "The file does not exist.");
  assertAccess(principal, file.workspaceId, "files:read", "file");
  return toFileDto(file);
}

/** Deletes a file no job reads from; 409 naming the jobs otherwise, since their next run would fail. */
export async function removeFile(principal: Principal, id: string): Promise<void> {
  const file = await getFile(db, id);
  if (!file) throw new HttpError(404, "The file does not exist.");
  assertAccess(principal, file.workspaceId, "files:write", "file");
  const users = await jobsUsingFile(db, id);
  if (users.length > 0) {
    throw new HttpError(409, `The file is the source of ${users.map((name) => `"${name}"`).join(", ")}; change or delete those jobs first.`);
  }
  // The content goes first: a backend outside PostgreSQL would otherwise keep bytes no row points to.
  await pgFileStorage(sql).remove(id);
  await deleteFile(db, id);
  await recordAudit(principal, {
    action: "file.delete",
    target: { type: "file", id },
    workspaceId: file.workspaceId,
    details: { name: file.name },
  });
}

/** Reads at least `bytes` from the stream (less if it ends first) and hands back the whole stream, head included. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; rest: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const taken: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push(next.value);
    size += next.value.length;
  }
  async function* rest() {
    yield* taken;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: Buffer.concat(taken), rest: rest() };
}
