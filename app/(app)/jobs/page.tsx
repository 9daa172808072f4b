import type { Metadata } from "next";
import { isLastStatusFilter, JobList } from "@/components/jobs/job-list";

export const metadata: Metadata = { title: "Jobs" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function JobsPage({ searchParams }: Props) {
  const params = await searchParams;
  const q = typeof params.q === "string" ? params.q : "";
  const page = Math.max(1, Number.parseInt(typeof params.page === "string" ? params.page : "1", 10) || 1);
  const status = typeof params.status === "string" && isLastStatusFilter(params.status) ? params.status : undefined;
  return <JobList initialQ={q} initialStatus={status} initialPage={page} />;
}
