"use client";

import Link from "next/link";
import { useState } from "react";
import { canEdit, defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { RunNowButton } from "@/components/jobs/run-now-button";
import { formatCount, formatDateTime, formatDuration } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import { StatusBadge } from "@/components/ui/status-badge";
import { useStats } from "./dashboard-queries";
import { RunTimeline } from "./run-timeline";

const WINDOWS = [
  { hours: 24, label: "Last 24 hours" },
  { hours: 168, label: "Last 7 days" },
];
const STATUSES = ["success", "failed", "running", "pending", "cancelled"] as const;

type Notice = { kind: "ok" | "error"; text: string; runId?: string } | null;

/** The home page: what ran recently, by status and over time, and which jobs need attention first. */
export function Dashboard() {
  const [hours, setHours] = useState(24);
  const stats = useStats(hours);
  const me = useMe();
  const [notice, setNotice] = useState<Notice>(null);
  const windowLabel = WINDOWS.find((w) => w.hours === hours)?.label.toLowerCase() ?? `last ${hours} hours`;

  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
        <div className="field inline-field">
          <label htmlFor="stats-window">Period</label>
          <select id="stats-window" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.hours} value={w.hours}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div aria-live="polite" className="notice-region">
        {notice ? (
          <p className={`alert ${notice.kind === "ok" ? "alert-ok" : "alert-error"}`}>
            {notice.text} {notice.runId ? <Link href={`/runs/${notice.runId}`}>View run</Link> : null}
          </p>
        ) : null}
      </div>

      {stats.isError ? (
        <QueryError error={stats.error} what="the dashboard" onRetry={() => stats.refetch()} />
      ) : !stats.data ? (
        <p className="muted" role="status">
          Loading the dashboard…
        </p>
      ) : (
        <>
          <section aria-labelledby="counts-heading">
            <h2 id="counts-heading" className="visually-hidden">
              Runs in the {windowLabel} by status
            </h2>
            <ul className="stat-cards">
              <li className="stat-card">
                <span className="stat-value">{formatCount(stats.data.runs.total)}</span>
                <span className="stat-label">runs in the {windowLabel}</span>
              </li>
              {STATUSES.map((status) => (
                <li key={status} className={`stat-card stat-${status}`}>
                  <span className="stat-value">{formatCount(stats.data.runs[status])}</span>
                  <span className="stat-label">
                    <StatusBadge status={status} />
                  </span>
                </li>
              ))}
            </ul>
          </section>

          {stats.data.runs.total === 0 ? (
            <div className="empty">
              <p>No runs in the {windowLabel}.</p>
              <p>
                <Link href="/jobs">Open the jobs</Link> to run one
                {canEdit(me.data, defaultWorkspaceId(me.data)) ? (
                  <>
                    , or <Link href="/jobs/new">create a job</Link>
                  </>
                ) : null}
                .
              </p>
            </div>
          ) : (
            <>
              <section className="card" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">Activity</h2>
                <RunTimeline stats={stats.data} />
              </section>
              <section aria-labelledby="jobs-heading">
                <h2 id="jobs-heading">Jobs that ran, failing first</h2>
                <div className="table-wrap">
                  <table className="table">
                    <caption className="visually-hidden">Jobs with runs in the {windowLabel}, those whose last run failed first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Job</th>
                        <th scope="col">Last run</th>
                        <th scope="col" className="numeric">
                          Failed / runs
                        </th>
                        <th scope="col">Last run at</th>
                        <th scope="col">Duration</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {stats.data.jobs.map((job) => (
                        <tr key={job.id} className={job.lastRun.status === "failed" ? "row-failing" : undefined}>
                          <td>
                            <Link href={`/jobs/${job.id}`} className="strong-link">
                              {job.name}
                            </Link>
                            {job.lastRun.error ? (
                              <div className="small error-text">
                                {job.lastRun.error.stage}: {job.lastRun.error.message}
                              </div>
                            ) : null}
                          </td>
                          <td>
                            <Link href={`/runs/${job.lastRun.id}`} aria-label={`Last run of ${job.name}: ${job.lastRun.status}`}>
                              <StatusBadge status={job.lastRun.status} />
                            </Link>
                          </td>
                          <td className="numeric">
                            {job.failed} / {job.runs}
                          </td>
                          <td>{formatDateTime(job.lastRun.createdAt)}</td>
                          <td>{formatDuration(job.lastRun.durationMs)}</td>
                          <td className="actions-cell">
                            {canEdit(me.data, job.workspaceId) ? (
                              <RunNowButton
                                jobId={job.id}
                                jobName={job.name}
                                onStarted={(run) => {
                                  setNotice({ kind: "ok", text: `Run of “${job.name}” queued.`, runId: run.id });
                                  void stats.refetch();
                                }}
                                onFailed={(text) => setNotice({ kind: "error", text: `Could not run “${job.name}”: ${text}` })}
                              />
                            ) : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
            </>
          )}
        </>
      )}
    </>
  );
}
