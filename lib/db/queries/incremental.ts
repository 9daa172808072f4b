import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { incrementalCursors } from "@/lib/db/schema";

export type IncrementalCursorRow = typeof incrementalCursors.$inferSelect;

export async function getIncrementalCursor(db: Db, jobId: string): Promise<IncrementalCursorRow | undefined> {
  const [row] = await db.select().from(incrementalCursors).where(eq(incrementalCursors.jobId, jobId)).limit(1);
  return row;
}

/** Forgets how far the job has read: its next run reads every row again. */
export async function deleteIncrementalCursor(db: Db, jobId: string): Promise<boolean> {
  const deleted = await db.delete(incrementalCursors).where(eq(incrementalCursors.jobId, jobId)).returning({ jobId: incrementalCursors.jobId });
  return deleted.length > 0;
}
