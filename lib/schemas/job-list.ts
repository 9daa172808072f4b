import { z } from "zod";
import { runStatuses } from "./runs";

/** Filters of GET /api/v1/jobs. */
export const lastStatusFilters = [...runStatuses, "never"] as const;
export type LastStatusFilter = (typeof lastStatusFilters)[number];

export const jobListQuerySchema = z.object({
  q: z.string().max(200).optional().describe("Search in names"),
  lastStatus: z.enum(lastStatusFilters).optional().describe("Only jobs whose newest run has this status; never: jobs that have not run"),
});
