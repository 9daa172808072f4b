import { bigint, customType, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { fileFormats } from "@/lib/schemas/files";
import { users, workspaces } from "./auth";

export const fileFormat = pgEnum("file_format", fileFormats);

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/** An uploaded file's metadata; its bytes live in file_chunks so every worker can read them. */
export const files = pgTable(
  "files",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    format: fileFormat().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    /** SHA-256 of the content, hex: lets users and tests verify what was stored. */
    sha256: text().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("files_workspace_created_idx").on(t.workspaceId, t.createdAt.desc(), t.id)],
);

/** The content of a file in fixed-size pieces, numbered from 0: large files stream in and out a chunk at a time. */
export const fileChunks = pgTable(
  "file_chunks",
  {
    fileId: uuid()
      .notNull()
      .references(() => files.id, { onDelete: "cascade" }),
    seq: integer().notNull(),
    data: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);
