"use client";

import Link from "next/link";
import { QueryError } from "@/components/ui/query-error";
import { JobForm } from "./job-form";
import { jobToFormValues } from "./job-form-values";
import { useJob } from "./job-queries";

/** Loads the job, then hands its definition to the builder form. */
export function JobEdit({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  if (job.isError) return <QueryError error={job.error} what="the job" onRetry={() => job.refetch()} />;
  if (!job.data) {
    return (
      <p className="muted" role="status">
        Loading the job…
      </p>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link href={`/jobs/${jobId}`}>← {job.data.name}</Link>
      </p>
      <div className="page-header">
        <h1>Edit “{job.data.name}”</h1>
      </div>
      {job.data.source.type === "http" ? (
        <JobForm jobId={jobId} defaultValues={jobToFormValues(job.data)} />
      ) : (
        <p className="empty">
          The builder edits HTTP sources so far; change this job&apos;s {job.data.source.type} source through the REST API (PATCH
          /api/v1/jobs/{jobId}).
        </p>
      )}
    </>
  );
}
