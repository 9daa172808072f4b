import "server-only";
import { and, count, desc, eq, ilike, inArray, sql as drizzleSql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { files, jobs } from "@/lib/db/schema";

export type FileRow = typeof files.$inferSelect;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function getFile(db: Db, id: string): Promise<FileRow | undefined> {
  const [file] = await db.select().from(files).where(eq(files.id, id)).limit(1);
  return file;
}

export async function listFiles(db: Db, params: { workspaceIds: string[]; q?: string; page: number; pageSize: number }) {
  if (params.workspaceIds.length === 0) return { count: 0, rows: [] };
  const where = and(
    inArray(files.workspaceId, params.workspaceIds),
    params.q ? ilike(files.name, `%${escapeLike(params.q)}%`) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(files)
      .where(where)
      .orderBy(desc(files.createdAt), desc(files.id))
      .limit(params.pageSize)
      .offset((params.page - 1) * params.pageSize),
    db.select({ n: count() }).from(files).where(where),
  ]);
  return { count: total?.n ?? 0, rows };
}

/** Names of the jobs whose source reads this file: deleting it would break their next run. */
export async function jobsUsingFile(db: Db, fileId: string): Promise<string[]> {
  const rows = await db
    .select({ name: jobs.name })
    .from(jobs)
    .where(and(drizzleSql`${jobs.definition}->'source'->>'type' = 'file'`, drizzleSql`${jobs.definition}->'source'->>'fileId' = ${fileId}`))
    .orderBy(jobs.name)
    .limit(20);
  return rows.map((r) => r.name);
}

export async function deleteFile(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(files).where(eq(files.id, id)).returning({ id: files.id });
  return deleted.length > 0;
}
