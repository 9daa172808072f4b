import { boolean, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { jobs } from "./jobs";

/**
 * How far an incremental database source has read: the highest value of its column loaded by the
 * job's last successful run. Written in the same transaction that marks that run successful.
 */
export const incrementalCursors = pgTable("incremental_cursors", {
  jobId: uuid()
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  column: text().notNull(),
  /** The value as the source database prints it (exact for timestamps, numerics and big integers). */
  value: text().notNull(),
  /** Compare as a number rather than as text (MySQL, where the value is written into the query). */
  numeric: boolean().notNull(),
  runId: uuid().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
