import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ConnectionConfig } from "@/lib/schemas/connections";
import { users, workspaces } from "./auth";

export const connectionType = pgEnum("connection_type", ["postgres", "mysql", "http"]);

/** A workspace's saved credentials for a database or an HTTP API, referred to by jobs through their id. */
export const connections = pgTable(
  "connections",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    type: connectionType().notNull(),
    /** Host, port, user, auth type…: everything but the secret, in the clear. */
    config: jsonb().$type<ConnectionConfig>().notNull(),
    /** The password, token or API key, AES-256-GCM encrypted by lib/crypto/secrets.ts; null when there is none. */
    secret: text(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("connections_workspace_name_key").on(t.workspaceId, t.name),
    index("connections_workspace_created_idx").on(t.workspaceId, t.createdAt),
  ],
);
