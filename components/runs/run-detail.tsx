"use client";

import Link from "next/link";
import { useState } from "react";
import { errorMessage } from "@/components/api-client";
import { canEdit, useMe } from "@/components/auth/use-me";
import { useJob } from "@/components/jobs/job-queries";
import { ResultsExplorer } from "@/components/results/results-explorer";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { QueryError } from "@/components/ui/query-error";
import { RunLog } from "./run-log";
import { isFinished, useCancelRun, useRun } from "./run-queries";
import { RunSummary } from "./run-summary";

export function RunDetail({ runId }: { runId: string }) {
  const run = useRun(runId);
  const job = useJob(run.data?.jobId ?? "");
  const me = useMe();
  const cancel = useCancelRun(runId);
  const [cancelError, setCancelError] = useState<string | null>(null);

  if (run.isError) return <QueryError error={run.error} what="the run" onRetry={() => run.refetch()} />;
  if (!run.data) {
    return (
      <p className="muted" role="status">
        Loading the run…
      </p>
    );
  }
  const finished = isFinished(run.data);
  const jobName = job.data?.name;
  const cancellable = !finished && canEdit(me.data, job.data?.workspaceId);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/jobs">Jobs</Link> / <Link href={`/jobs/${run.data.jobId}`}>{jobName ?? "Job"}</Link>
      </p>
      <div className="page-header">
        <h1>Run {jobName ? `of “${jobName}”` : ""}</h1>
        {cancellable ? (
          <ConfirmButton
            title="Cancel this run?"
            description={<p>The run stops at the next batch; the dataset is left as it was.</p>}
            confirmLabel="Cancel run"
            onConfirm={() =>
              cancel.mutate(undefined, { onError: (error) => setCancelError(`Could not cancel: ${errorMessage(error)}`) })
            }
            disabled={cancel.isPending}
          >
            Cancel run
          </ConfirmButton>
        ) : null}
      </div>
      <div role="alert">{cancelError ? <p className="alert alert-error">{cancelError}</p> : null}</div>

      <RunSummary run={run.data} />

      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        <RunLog run={run.data} />
      </section>

      <section aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        {run.data.status === "success" ? (
          <ResultsExplorer
            endpoint={`runs/${runId}/results`}
            caption="Rows loaded by this run"
            emptyText="This run loaded no rows."
            replacedText="A later successful run replaced these rows in the dataset; open that run, or the job's dataset, to see the current data."
            expectedRows={run.data.rowsLoaded}
          />
        ) : (
          <p className="muted">
            Results are shown{" "}
            {finished ? `only for successful runs; this one ${run.data.status === "failed" ? "failed" : "was cancelled"}` : "once the run has succeeded"}.
          </p>
        )}
      </section>
    </>
  );
}
