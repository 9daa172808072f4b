import { z } from "zod";
import { expressionProblem, MAX_EXPRESSION_LENGTH, type ExpressionKind } from "@/lib/etl/expressions";
import { headersSchema } from "./connections";
import { mysqlSourceSchema, postgresSourceSchema } from "./database-source";
import { mysqlDestinationSchema, postgresDestinationSchema } from "./table-destination";
import { fileSourceSchema } from "./file-source";
import { notifySchema, overlapSchema, scheduleSchema } from "./run-control";

/**
 * The job definition: the contract of SPEC.md "Job definition". These schemas are the single
 * source of truth for the API body, the builder form and the OpenAPI document, so they stay
 * client-safe (no server imports).
 */

export const columnTypes = ["integer", "number", "boolean", "date", "timestamp", "string", "json"] as const;
export const columnTypeSchema = z.enum(columnTypes);
export type ColumnType = z.infer<typeof columnTypeSchema>;

const dotPath = z
  .string()
  .max(200)
  .regex(/^$|^[^.\s]+(\.[^.\s]+)*$/, "must be a dot path like data.items, or empty")
  .describe("Dot path into the response body, e.g. data.items; empty means the body itself");

const stringMap = z.record(z.string().min(1).max(200), z.string().max(4000));

const paginationSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }).strict(),
  z
    .object({
      type: z.literal("page"),
      pageParam: z.string().min(1).default("page"),
      sizeParam: z.string().min(1).default("page_size"),
      pageSize: z.number().int().min(1).max(10_000).default(100),
      startPage: z.number().int().min(0).default(1),
    })
    .strict(),
  z
    .object({
      type: z.literal("offset"),
      offsetParam: z.string().min(1).default("offset"),
      limitParam: z.string().min(1).default("limit"),
      limit: z.number().int().min(1).max(10_000).default(100),
    })
    .strict(),
  z
    .object({
      type: z.literal("cursor"),
      cursorParam: z.string().min(1).default("cursor"),
      cursorPath: dotPath.min(1).describe("Dot path to the next cursor in the body; missing or null ends paging"),
    })
    .strict(),
  z
    .object({
      type: z.literal("next_url"),
      nextUrlPath: dotPath.min(1).describe("Dot path to the next page's URL in the body; missing or null ends paging"),
    })
    .strict(),
  z.object({ type: z.literal("link_header") }).strict(),
]);
export type Pagination = z.infer<typeof paginationSchema>;

export const httpSourceSchema = z
  .object({
    type: z.literal("http"),
    url: z
      .url({ protocol: /^https?$/, error: "must be an http or https URL" })
      .max(4000)
      .describe("The endpoint to extract from"),
    connectionId: z
      .uuid()
      .optional()
      .describe(
        "A saved http connection whose credentials (bearer token, basic auth or API-key header) are sent with every request to this URL's origin",
      ),
    method: z.enum(["GET", "POST"]).default("GET"),
    headers: headersSchema.default({}).describe("Extra request headers"),
    query: stringMap.default({}).describe("Query parameters added to every request"),
    body: z.unknown().optional().describe("JSON body sent with POST"),
    recordsPath: dotPath.default(""),
    pagination: paginationSchema.default({ type: "none" }),
    maxPages: z.number().int().min(1).max(100_000).default(1000).describe("Stop after this many pages"),
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000).describe("Timeout of each request"),
  })
  .strict()
  .describe("Extract JSON records from an HTTP API");
export type HttpSource = z.infer<typeof httpSourceSchema>;

export const sourceSchema = z.discriminatedUnion("type", [
  httpSourceSchema,
  fileSourceSchema,
  postgresSourceSchema,
  mysqlSourceSchema,
]);
export type Source = z.infer<typeof sourceSchema>;

const columnName = z.string().min(1).max(200);
const columnList = z.array(columnName).min(1).max(1000);

/** An arquero table expression, checked against the safe subset when the job is saved or previewed. */
function expression(kind: ExpressionKind, example: string) {
  return z
    .string()
    .min(1)
    .max(MAX_EXPRESSION_LENGTH)
    .superRefine((value, ctx) => {
      const problem = expressionProblem(value, kind);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(`An arquero table expression: column references, op.* functions, literals and operators, e.g. ${example}`);
}

const namedColumns = <T extends z.ZodType>(value: T) =>
  z.record(columnName, value).refine((m) => Object.keys(m).length > 0, "name at least one column");

export const transformStepSchema = z.discriminatedUnion("op", [
  z
    .object({
      op: z.literal("normalize"),
      sep: z.string().min(1).max(5).default("."),
      maxLevel: z.number().int().min(0).max(100).optional(),
    })
    .strict()
    .describe("Flatten nested objects into columns, like pandas json_normalize"),
  z
    .object({
      op: z.literal("explode"),
      column: columnName.describe("A column holding arrays"),
      prefix: z.string().max(100).optional().describe('Prefix of the columns made from object elements; default "<column>."'),
      keepEmpty: z.boolean().default(false).describe("Keep one row with nulls for an empty array or null"),
    })
    .strict()
    .describe("One row per array element; object elements are flattened into prefixed columns"),
  z.object({ op: z.literal("select"), columns: columnList }).strict().describe("Keep only these columns, in this order"),
  z.object({ op: z.literal("drop"), columns: columnList }).strict().describe("Remove these columns"),
  z
    .object({
      op: z.literal("rename"),
      columns: namedColumns(columnName).refine(
        (m) => new Set(Object.values(m)).size === Object.keys(m).length,
        "give each column a different new name",
      ),
    })
    .strict()
    .describe("Rename columns: {old: new}"),
  z.object({ op: z.literal("filter"), expr: expression("row", "d => d.amount > 0") }).strict().describe("Keep the rows where the expression is true"),
  z
    .object({ op: z.literal("derive"), columns: namedColumns(expression("row", "d => d.total * 1.2")) })
    .strict()
    .describe("Add or replace columns, computed in the order given: {name: expression}"),
  z.object({ op: z.literal("cast"), columns: namedColumns(columnTypeSchema) }).strict().describe("Convert columns to a type: {name: type}"),
  z
    .object({
      op: z.literal("fillNull"),
      values: namedColumns(z.union([z.string().max(4000), z.number(), z.boolean()])),
    })
    .strict()
    .describe("Replace null, missing and NaN values: {name: value}"),
  z
    .object({ op: z.literal("dedupe"), columns: columnList.optional().describe("Compare only these columns; default all") })
    .strict()
    .describe("Drop duplicate rows, keeping the first"),
  z
    .object({
      op: z.literal("sort"),
      by: z
        .array(z.object({ column: columnName, desc: z.boolean().default(false) }).strict())
        .min(1)
        .max(100),
    })
    .strict()
    .describe("Order rows; nulls come first ascending and last descending"),
  z.object({ op: z.literal("limit"), count: z.number().int().min(0).max(1_000_000_000) }).strict().describe("Keep the first rows"),
  z
    .object({
      op: z.literal("aggregate"),
      groupBy: z.array(columnName).max(100).default([]),
      metrics: namedColumns(expression("aggregate", "op.sum(d.amount)")),
    })
    .strict()
    .describe("Group rows and compute metrics with aggregate functions (op.sum, op.count, op.mean, op.min, op.max, op.distinct…)"),
]);
export type TransformStep = z.infer<typeof transformStepSchema>;

export const datasetDestinationSchema = z
  .object({
    type: z.literal("dataset"),
    mode: z
      .enum(["replace", "append", "upsert"])
      .default("replace")
      .describe("replace: the dataset holds exactly the last run's rows; append: each run adds its rows; upsert: rows are inserted or updated by key"),
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
  .describe("A PostgreSQL table managed by DataFlowHub, one per job");

export const destinationSchema = z.discriminatedUnion("type", [
  datasetDestinationSchema,
  postgresDestinationSchema,
  mysqlDestinationSchema,
]);
export type Destination = z.infer<typeof destinationSchema>;

export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(3).describe("Total attempts, the first included"),
    backoffSeconds: z.number().int().min(1).max(3600).default(30).describe("Base of the exponential backoff"),
  })
  .strict();

/**
 * Why the destination's mode cannot load the source's rows, or null. An incremental source reads
 * only the rows past the highest value already loaded, so replace would leave just those: from the
 * second run on, the destination would lose every row loaded before.
 */
export function incrementalModeProblem({ source, destination }: { source: Source; destination: Destination }): string | null {
  if ((source.type !== "postgres" && source.type !== "mysql") || !source.incremental || destination.mode !== "replace") return null;
  return (
    `mode replace cannot load an incremental source: each run reads only the rows whose "${source.incremental.column}" is past ` +
    "the highest value already loaded, so replace would keep only those; use append or upsert"
  );
}

/** The part of a job that a run executes and snapshots. */
export const jobDefinitionSchema = z
  .object({
    source: sourceSchema,
    transform: z.array(transformStepSchema).max(100).default([]),
    destination: destinationSchema.default({ type: "dataset", mode: "replace" }),
    retry: retrySchema.default({ attempts: 3, backoffSeconds: 30 }),
    schedule: scheduleSchema.nullable().default(null).describe("null: runs are triggered manually or through the API only"),
    overlap: overlapSchema.default("queue"),
    notify: notifySchema.nullable().default(null),
  })
  .strict();
export type JobDefinition = z.infer<typeof jobDefinitionSchema>;

const jobName = z.string().trim().min(1, "name is required").max(120, "at most 120 characters");

export const jobCreateSchema = z
  .object({
    name: jobName,
    description: z.string().max(2000).nullish(),
    workspaceId: z.uuid().optional().describe("Defaults to the caller's default workspace"),
    ...jobDefinitionSchema.shape,
  })
  .strict()
  .superRefine((job, ctx) => {
    const problem = incrementalModeProblem(job);
    if (problem) ctx.addIssue({ code: "custom", path: ["destination", "mode"], message: problem });
  });
export type JobCreate = z.infer<typeof jobCreateSchema>;

export const jobUpdateSchema = z
  .object({
    name: jobName.optional(),
    description: z.string().max(2000).nullish(),
    source: sourceSchema.optional(),
    transform: z.array(transformStepSchema).max(100).optional(),
    destination: destinationSchema.optional(),
    retry: retrySchema.optional(),
    schedule: scheduleSchema.nullable().optional(),
    overlap: overlapSchema.optional(),
    notify: notifySchema.nullable().optional(),
  })
  .strict();
export type JobUpdate = z.infer<typeof jobUpdateSchema>;

export const jobSchema = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  ...jobDefinitionSchema.shape,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  nextRunAt: z.iso.datetime().nullable().describe("When the schedule fires next; null without a schedule"),
  lastRun: z
    .object({ id: z.uuid(), status: z.string(), createdAt: z.iso.datetime(), durationMs: z.number().nullable() })
    .nullable(),
});
export type Job = z.infer<typeof jobSchema>;
