import { z } from "zod";
import { columnTypeSchema, sourceSchema, transformStepSchema } from "./jobs";

/** The preview contract: a (possibly unsaved) job's source and steps, run on a sample. */

export const MAX_PREVIEW_SAMPLE = 1000;

export const previewRequestSchema = z
  .object({
    jobId: z.uuid().optional().describe("A saved job to preview; a source or transform given here replaces the job's own"),
    workspaceId: z
      .uuid()
      .optional()
      .describe("For an unsaved job: the workspace whose files and connections the source may use; defaults to yours"),
    source: sourceSchema.optional(),
    transform: z.array(transformStepSchema).max(100).optional(),
    sampleSize: z
      .number()
      .int()
      .min(1)
      .max(MAX_PREVIEW_SAMPLE)
      .default(100)
      .describe("Records read from the source (HTTP: from the first page only)"),
    rows: z.number().int().min(0).max(MAX_PREVIEW_SAMPLE).default(20).describe("Rows shown for the source and after each step"),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (!request.jobId && !request.source) {
      ctx.addIssue({ code: "custom", path: ["source"], message: "give a source, or the jobId of a saved job" });
    }
    if (request.jobId && request.workspaceId) {
      ctx.addIssue({ code: "custom", path: ["workspaceId"], message: "a saved job's preview uses the job's workspace" });
    }
  });
export type PreviewRequest = z.infer<typeof previewRequestSchema>;

export const columnProfileSchema = z.object({
  name: z.string(),
  type: columnTypeSchema.nullable().describe("The type a run would load the column as; null when the sample holds only nulls"),
  nullCount: z.number().int(),
  distinctCount: z.number().int(),
  distinct: z.array(z.unknown()).describe("A few distinct values, in order of first appearance"),
});

export const tableViewSchema = z.object({
  rowCount: z.number().int(),
  columns: z.array(columnProfileSchema),
  rows: z.array(z.record(z.string(), z.unknown())).describe("The first rows"),
});
export type TableView = z.infer<typeof tableViewSchema>;

export const previewStepSchema = z.object({
  index: z.number().int().describe("Position in the job's transform, from 0"),
  op: z.string(),
  status: z.enum(["ok", "error", "skipped"]).describe("skipped: an earlier step failed, or the sample was empty"),
  durationMs: z.number().nullable(),
  output: tableViewSchema.nullable(),
  error: z.string().nullable(),
});

export const previewSchema = z.object({
  sampleSize: z.number().int().describe("Records the source gave for the sample"),
  source: tableViewSchema.nullable().describe("The records as the source gave them; null when extraction failed"),
  steps: z.array(previewStepSchema),
  error: z
    .object({
      stage: z.enum(["extract", "transform"]),
      step: z.number().int().nullable().describe("The failing step's index; its input is the previous step's output"),
      message: z.string(),
    })
    .nullable(),
  log: z.array(z.object({ level: z.string(), message: z.string() })).describe("What the source reported while reading"),
  durationMs: z.number(),
});
export type Preview = z.infer<typeof previewSchema>;
