"use client";

import Link from "next/link";
import { canEdit, useMe } from "@/components/auth/use-me";
import { QueryError } from "@/components/ui/query-error";
import { JobForm } from "./job-form";
import { jobToFormValues } from "./job-form-values";
import { useJob } from "./job-queries";

/** Loads the job, then hands its definition to the builder. */
export function JobEdit({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  const me = useMe();
  if (job.isError) return <QueryError error={job.error} what="the job" onRetry={() => job.refetch()} />;
  if (!job.data || !me.data) {
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
      {canEdit(me.data, job.data.workspaceId) ? (
        <JobForm jobId={jobId} workspaceId={job.data.workspaceId} defaultValues={jobToFormValues(job.data)} />
      ) : (
        <p className="empty">Your role in this workspace lets you read this job, not change it.</p>
      )}
    </>
  );
}
