"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "@/components/api-client";
import { canEdit, useMe } from "@/components/auth/use-me";
import { RunHistory } from "@/components/runs/run-history";
import { RunTrendChart } from "@/components/runs/run-trend-chart";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { formatDateTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import { JobDefinition } from "./job-definition";
import { exportJobFile } from "./job-import-export";
import { useDeleteJob, useJob, useRecentRuns } from "./job-queries";
import { RunNowButton } from "./run-now-button";

export function JobDetail({ jobId }: { jobId: string }) {
  const router = useRouter();
  const job = useJob(jobId);
  const recent = useRecentRuns(jobId);
  const me = useMe();
  const remove = useDeleteJob();
  const [actionError, setActionError] = useState<string | null>(null);

  if (job.isError) return <QueryError error={job.error} what="the job" onRetry={() => job.refetch()} />;
  if (!job.data) {
    return (
      <p className="muted" role="status">
        Loading the job…
      </p>
    );
  }
  const editable = canEdit(me.data, job.data.workspaceId);
  const onDelete = () =>
    remove.mutate(jobId, {
      onSuccess: () => router.push("/jobs"),
      onError: (error) => setActionError(`Could not delete the job: ${errorMessage(error)}`),
    });

  return (
    <>
      <p className="breadcrumb">
        <Link href="/jobs">← Jobs</Link>
      </p>
      <div className="page-header">
        <div>
          <h1>{job.data.name}</h1>
          {job.data.description ? <p className="muted">{job.data.description}</p> : null}
        </div>
        <div className="actions">
          <Link href={`/jobs/${jobId}/data`} className="button">
            Browse data
          </Link>
          <button type="button" className="button" onClick={() => exportJobFile(job.data)}>
            Export JSON
          </button>
        </div>
        {editable ? (
          <div className="actions">
            <RunNowButton
              className="button button-primary"
              jobId={jobId}
              jobName={job.data.name}
              onStarted={(run) => router.push(`/runs/${run.id}`)}
              onFailed={(message) => setActionError(`Could not start a run: ${message}`)}
            />
            <Link href={`/jobs/${jobId}/edit`} className="button">
              Edit
            </Link>
            <ConfirmButton
              title={`Delete “${job.data.name}”?`}
              description={<p>The job, its run history and its dataset are deleted. This cannot be undone.</p>}
              confirmLabel="Delete job"
              onConfirm={onDelete}
              disabled={remove.isPending}
            >
              Delete
            </ConfirmButton>
          </div>
        ) : null}
      </div>
      <div role="alert">{actionError ? <p className="alert alert-error">{actionError}</p> : null}</div>

      <section aria-labelledby="definition-heading" className="card">
        <h2 id="definition-heading">Definition</h2>
        <JobDefinition job={job.data} />
        <p className="muted small">
          Created {formatDateTime(job.data.createdAt)} · updated {formatDateTime(job.data.updatedAt)}
        </p>
      </section>

      <section aria-labelledby="trend-heading" className="card">
        <h2 id="trend-heading">Recent runs</h2>
        {recent.isError ? (
          <QueryError error={recent.error} what="the recent runs" onRetry={() => recent.refetch()} />
        ) : !recent.data ? (
          <p className="muted">Loading the recent runs…</p>
        ) : recent.data.results.length === 0 ? (
          <p className="muted">The chart of durations and rows loaded appears after the first run.</p>
        ) : (
          <RunTrendChart runs={recent.data.results} />
        )}
      </section>

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <RunHistory jobId={jobId} />
      </section>
    </>
  );
}
