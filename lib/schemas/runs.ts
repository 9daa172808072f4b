import { z } from "zod";

export const runStatuses = ["pending", "running", "success", "failed", "cancelled"] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const finishedStatuses: readonly RunStatus[] = ["success", "failed", "cancelled"];

export const runStageSchema = z.enum(["extract", "transform", "load"]);
export type RunStage = z.infer<typeof runStageSchema>;

export const runSchema = z.object({
  id: z.uuid(),
  jobId: z.uuid(),
  status: runStatusSchema,
  trigger: z.enum(["manual", "api", "schedule", "retry"]),
  attempt: z.number().int(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nullable(),
  rowsExtracted: z.number().int(),
  rowsLoaded: z.number().int(),
  progress: z
    .object({ rowsRead: z.number().int(), rowsLoaded: z.number().int(), stage: runStageSchema.nullable() })
    .nullable(),
  error: z.object({ stage: runStageSchema, message: z.string() }).nullable(),
});
export type Run = z.infer<typeof runSchema>;

export const runListQuerySchema = z.object({
  jobId: z.uuid().optional(),
  status: runStatusSchema.optional(),
});

export const logLevelSchema = z.enum(["debug", "info", "warn", "error"]);
export const runLogSchema = z.object({
  id: z.number().int(),
  ts: z.iso.datetime(),
  level: logLevelSchema,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type RunLog = z.infer<typeof runLogSchema>;

export const runLogQuerySchema = z.object({
  after: z.coerce.number().int().min(0).optional().describe("Only lines with an id greater than this"),
});
