import { z } from "zod";

/**
 * The `postgres` and `mysql` destinations: a table in a database reached through a saved
 * connection, loaded in the same three modes as the dataset.
 */

const identifier = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[^\0]*[^\0 ]$/, "must not contain NUL or end with a space");

function tableDestinationSchema<T extends "postgres" | "mysql">(type: T) {
  return z
    .object({
      type: z.literal(type),
      connectionId: z.uuid().describe(`A saved ${type} connection (POST /api/v1/connections) in the job's workspace`),
      schema: identifier
        .optional()
        .describe(type === "postgres" ? "The table's schema; default public" : "The table's database; default the connection's"),
      table: identifier.describe("Created by the first run when missing, with columns typed from the data; new columns are added and logged"),
      mode: z
        .enum(["replace", "append", "upsert"])
        .describe(
          "replace: the table holds exactly the last run's rows; append: each run adds its rows; upsert: rows are inserted or updated by key (the table needs a primary key or unique index on it)",
        ),
      key: z
        .array(z.string().min(1).max(200))
        .min(1)
        .max(32)
        .refine((key) => new Set(key).size === key.length, "list each key column once")
        .optional()
        .describe("Columns identifying a row, required for upsert; within one run the last row of a key wins"),
    })
    .strict()
    .superRefine((destination, ctx) => {
      if (destination.mode === "upsert" && !destination.key) {
        ctx.addIssue({ code: "custom", path: ["key"], message: "upsert needs the key columns that identify a row" });
      }
      if (destination.mode !== "upsert" && destination.key) {
        ctx.addIssue({ code: "custom", path: ["key"], message: `key is only used by mode upsert, not ${destination.mode}` });
      }
    })
    .describe(
      `Load into a table of a ${type === "postgres" ? "PostgreSQL" : "MySQL or MariaDB"} database; a failed or retried run never leaves partial or duplicate rows`,
    );
}

export const postgresDestinationSchema = tableDestinationSchema("postgres");
export const mysqlDestinationSchema = tableDestinationSchema("mysql");
export type PostgresDestination = z.infer<typeof postgresDestinationSchema>;
export type MysqlDestination = z.infer<typeof mysqlDestinationSchema>;
export type TableDestination = PostgresDestination | MysqlDestination;
