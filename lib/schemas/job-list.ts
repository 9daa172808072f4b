import { z } from "zod";
import { runStatuses } from "./runs";

/** Filters of GET /api/v1/jobs. */
export const lastStatusFilters = [...runStatuses, "never"] as const;
export type LastStatusFilter = (typeof lastStatusFilters)[number];

/** What GET /api/v1/jobs can order by; lastRunAt is when the job's newest run was created. */
export const jobSortFields = ["name", "createdAt", "updatedAt", "lastRunAt"] as const;
export type JobSortField = (typeof jobSortFields)[number];
export type JobSort = JobSortField | `-${JobSortField}`;

const jobSorts = jobSortFields.flatMap((field): JobSort[] => [field, `-${field}`]) as [JobSort, ...JobSort[]];
export const DEFAULT_JOB_SORT: JobSort = "-createdAt";

/** The field and direction of a sort value. */
export function parseJobSort(sort: JobSort): { field: JobSortField; desc: boolean } {
  const desc = sort.startsWith("-");
  return { field: (desc ? sort.slice(1) : sort) as JobSortField, desc };
}

export const jobListQuerySchema = z.object({
  q: z.string().max(200).optional().describe("Search in names"),
  lastStatus: z.enum(lastStatusFilters).optional().describe("Only jobs whose newest run has this status; never: jobs that have not run"),
  sort: z
    .enum(jobSorts, { error: `must be one of ${jobSortFields.join(", ")}, optionally prefixed with - for descending` })
    .default(DEFAULT_JOB_SORT)
    .describe(
      "The order of the list: a field, prefixed with - for descending. name ignores case; lastRunAt puts jobs that never ran last in either direction. Ties are ordered by id.",
    ),
});
