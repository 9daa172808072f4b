import type { Metadata } from "next";
import { isLastStatusFilter, JobList } from "@/components/jobs/job-list";
import { DEFAULT_JOB_SORT, jobListQuerySchema } from "@/lib/schemas/job-list";

export const metadata: Metadata = { title: "Jobs" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function JobsPage({ searchParams }: Props) {
  const params = await searchParams;
  const q = typeof params.q === "string" ? params.q : "";
  const page = Math.max(1, Number.parseInt(typeof params.page === "string" ? params.page : "1", 10) || 1);
  const status = typeof params.status === "string" && isLastStatusFilter(params.status) ? params.status : undefined;
  // A link with a sort the API does not know shows the default order rather than an error.
  const sort = jobListQuerySchema.shape.sort.catch(DEFAULT_JOB_SORT).parse(params.sort);
  return <JobList initialQ={q} initialStatus={status} initialSort={sort} initialPage={page} />;
}
