"use client";

import Link from "next/link";
import { ResultsExplorer } from "@/components/results/results-explorer";
import { QueryError } from "@/components/ui/query-error";
import { useJob } from "./job-queries";

/** The job's current dataset in the results explorer. */
export function JobData({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  if (job.isError) return <QueryError error={job.error} what="the job" onRetry={() => job.refetch()} />;
  if (!job.data) {
    return (
      <p className="muted" role="status">
        Loading the job…
      </p>
    );
  }
  const external = job.data.destination.type !== "dataset";
  return (
    <>
      <p className="breadcrumb">
        <Link href="/jobs">Jobs</Link> / <Link href={`/jobs/${jobId}`}>{job.data.name}</Link>
      </p>
      <div className="page-header">
        <h1>Data of “{job.data.name}”</h1>
      </div>
      {external ? (
        <p className="empty">This job loads into an external {job.data.destination.type} table; browse it with that database&apos;s tools.</p>
      ) : (
        <ResultsExplorer endpoint={`jobs/${jobId}/data`} caption={`Current dataset of ${job.data.name}`} emptyText="No data yet: the dataset fills with the first successful run." />
      )}
    </>
  );
}
