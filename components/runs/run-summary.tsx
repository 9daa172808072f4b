import Link from "next/link";
import { formatCount, formatDateTime, formatDuration, runDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { Run } from "@/lib/schemas/runs";

const STAGES = ["extract", "transform", "load"] as const;

/** Status, timings, counts, progress and error of a run. */
export function RunSummary({ run }: { run: Run }) {
  const live = run.status === "pending" || run.status === "running";
  return (
    <div className="card run-summary">
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={run.status} />
          </dd>
        </div>
        <div>
          <dt>Job</dt>
          <dd>
            <Link href={`/jobs/${run.jobId}`}>Open job</Link>
          </dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd>{run.trigger}</dd>
        </div>
        <div>
          <dt>Attempt</dt>
          <dd>{run.attempt}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(run.createdAt)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(run.startedAt)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{formatDateTime(run.finishedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(runDuration(run))}</dd>
        </div>
        <div>
          <dt>Rows extracted</dt>
          <dd>{formatCount(run.rowsExtracted)}</dd>
        </div>
        <div>
          <dt>Rows loaded</dt>
          <dd>{formatCount(run.rowsLoaded)}</dd>
        </div>
      </dl>

      {live ? (
        <div className="progress" aria-live="polite">
          <p>
            {run.status === "pending"
              ? "Waiting for a worker…"
              : `Stage: ${run.progress?.stage ?? "starting"} · ${formatCount(run.progress?.rowsRead ?? 0)} rows read · ${formatCount(
                  run.progress?.rowsLoaded ?? 0,
                )} loaded`}
          </p>
          <ol className="stages" aria-label="Stages">
            {STAGES.map((stage) => {
              const current = run.progress?.stage === stage;
              const done = run.progress?.stage ? STAGES.indexOf(run.progress.stage) > STAGES.indexOf(stage) : false;
              return (
                <li key={stage} className={current ? "stage-current" : done ? "stage-done" : undefined} aria-current={current ? "step" : undefined}>
                  {stage}
                </li>
              );
            })}
          </ol>
          <progress aria-label="Run progress" />
        </div>
      ) : null}

      {run.error ? (
        <div className="alert alert-error" role={run.status === "failed" ? "alert" : undefined}>
          <p>
            <strong>{run.status === "failed" ? "Failed" : "Last attempt failed"} in {run.error.stage}:</strong> {run.error.message}
          </p>
        </div>
      ) : null}
    </div>
  );
}
