import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { JobDefinition } from "@/lib/schemas/jobs";
import { users, workspaces } from "./auth";

export const jobs = pgTable(
  "jobs",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    /** source, transform, destination, schedule and retry, exactly as validated by jobDefinitionSchema. */
    definition: jsonb().$type<JobDefinition>().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("jobs_workspace_name_key").on(t.workspaceId, t.name),
    index("jobs_workspace_created_idx").on(t.workspaceId, t.createdAt),
  ],
);
