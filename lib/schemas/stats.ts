import { z } from "zod";
import { runStageSchema, runStatusSchema } from "./runs";

/** The home dashboard's numbers: what ran recently across the caller's workspaces, and which jobs fail. */

export const statsQuerySchema = z.object({
  hours: z.coerce.number().int().min(1).max(720).default(24).describe("The window, ending now"),
  workspaceId: z.uuid().optional().describe("Only this workspace; default every workspace you can read runs in"),
});

const statusCounts = z.object({
  pending: z.number().int(),
  running: z.number().int(),
  success: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});
export type StatusCounts = z.infer<typeof statusCounts>;

export const statsSchema = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  bucket: z.enum(["hour", "day"]).describe("The timeline's step: hours for windows up to 48 hours, days beyond"),
  runs: statusCounts.extend({ total: z.number().int() }).describe("Runs created in the window, by current status"),
  timeline: z
    .array(statusCounts.extend({ start: z.iso.datetime() }))
    .describe("Runs created in each hour or day of the window, oldest first, by current status"),
  jobs: z
    .array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        workspaceId: z.uuid(),
        runs: z.number().int().describe("Runs in the window"),
        failed: z.number().int().describe("Failed runs in the window"),
        lastRun: z.object({
          id: z.uuid(),
          status: runStatusSchema,
          createdAt: z.iso.datetime(),
          durationMs: z.number().int().nullable(),
          rowsLoaded: z.number().int(),
          error: z.object({ stage: runStageSchema, message: z.string() }).nullable(),
        }),
      }),
    )
    .describe("Jobs that ran in the window: those whose last run failed first, then by failures, then most recent"),
});
export type Stats = z.infer<typeof statsSchema>;
