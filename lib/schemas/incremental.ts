import { z } from "zod";

/** How far an incremental database source has read, as GET /api/v1/jobs/{id}/incremental answers it. */
export const incrementalStateSchema = z.object({
  column: z.string().describe("The incremental column"),
  value: z.string().describe("The highest value loaded so far, as the source database prints it; the next run reads rows above it"),
  runId: z.uuid().describe("The successful run that loaded it"),
  updatedAt: z.iso.datetime(),
});
export type IncrementalState = z.infer<typeof incrementalStateSchema>;
