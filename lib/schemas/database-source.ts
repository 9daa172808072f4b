import { z } from "zod";
import { selectStatementProblem } from "@/lib/etl/sources/select-statement";

/**
 * The `postgres` and `mysql` sources: a SQL query over a saved connection, read in batches inside
 * a read-only transaction, optionally incremental (only rows newer than the last successful run's
 * highest value of a column).
 */

function databaseSourceSchema<T extends "postgres" | "mysql">(type: T) {
  const label = type === "postgres" ? "PostgreSQL" : "MySQL or MariaDB";
  return z
    .object({
      type: z.literal(type),
      connectionId: z.uuid().describe(`A saved ${type} connection (POST /api/v1/connections) in the job's workspace`),
      query: z
        .string()
        .trim()
        .min(1, "query is required")
        .max(100_000)
        .superRefine((query, ctx) => {
          const problem = selectStatementProblem(query, type);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .describe("One SELECT statement. It runs in a read-only transaction and its rows are read in batches"),
      incremental: z
        .object({
          column: z
            .string()
            .min(1)
            .max(200)
            .describe("A column of the query's result whose values only grow, such as updated_at or an id"),
        })
        .strict()
        .optional()
        .describe(
          "Read only rows whose column is greater than the highest value loaded by the last successful run, in the column's order; the first run reads everything",
        ),
      timeoutMs: z
        .number()
        .int()
        .min(1000)
        .max(86_400_000)
        .default(3_600_000)
        .describe("The query is cancelled after this long, time spent reading its rows included"),
    })
    .strict()
    .describe(`Read the rows of a query on a ${label} database`);
}

export const postgresSourceSchema = databaseSourceSchema("postgres");
export const mysqlSourceSchema = databaseSourceSchema("mysql");
export type PostgresSource = z.infer<typeof postgresSourceSchema>;
export type MysqlSource = z.infer<typeof mysqlSourceSchema>;
export type DatabaseSource = PostgresSource | MysqlSource;
