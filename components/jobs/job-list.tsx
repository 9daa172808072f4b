"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { canEdit, defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { StatusBadge } from "@/components/ui/status-badge";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { DEFAULT_JOB_SORT, type JobSort, type LastStatusFilter } from "@/lib/schemas/job-list";
import { useJobs } from "./job-queries";
import { JobSortHeader } from "./job-sort-header";
import { RunNowButton } from "./run-now-button";

const PAGE_SIZE = 20;

type Notice = { kind: "ok"; text: string; runId: string } | { kind: "error"; text: string };

/** The jobs a user can see: search, last run, run now, paging. The URL keeps `q` and `page`. */
const STATUS_FILTERS: { value: LastStatusFilter | ""; label: string }[] = [
  { value: "", label: "Any" },
  { value: "failed", label: "Failed" },
  { value: "success", label: "Success" },
  { value: "running", label: "Running" },
  { value: "pending", label: "Pending" },
  { value: "cancelled", label: "Cancelled" },
  { value: "never", label: "Never run" },
];

export const isLastStatusFilter = (value: string): value is LastStatusFilter => STATUS_FILTERS.some((f) => f.value !== "" && f.value === value);

type Props = { initialQ: string; initialStatus: LastStatusFilter | undefined; initialSort: JobSort; initialPage: number };

/**
 * The jobs a user can see: search, filter by last run status, sort by name or last run, last run,
 * run now, paging. The URL keeps `q`, `status`, `sort` and `page`.
 */
export function JobList({ initialQ, initialStatus, initialSort, initialPage }: Props) {
  const [search, setSearch] = useState(initialQ);
  const q = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<LastStatusFilter | undefined>(initialStatus);
  const [sort, setSort] = useState(initialSort);
  const [page, setPage] = useState(initialPage);
  const [notice, setNotice] = useState<Notice | null>(null);
  const me = useMe();
  const jobs = useJobs({ q, lastStatus: status, sort, page, pageSize: PAGE_SIZE });

  useEffect(() => {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (status) params.set("status", status);
    if (sort !== DEFAULT_JOB_SORT) params.set("sort", sort);
    if (page > 1) params.set("page", String(page));
    const query = params.toString();
    window.history.replaceState(null, "", query ? `/jobs?${query}` : "/jobs");
  }, [q, status, sort, page]);

  const onSearch = (value: string) => {
    setSearch(value);
    setPage(1);
  };
  const onSort = (value: JobSort) => {
    setSort(value);
    setPage(1);
  };
  const statusLabel = STATUS_FILTERS.find((f) => f.value === status)?.label.toLowerCase();

  return (
    <>
      <div className="page-header">
        <h1>Jobs</h1>
        {canEdit(me.data, defaultWorkspaceId(me.data)) ? (
          <Link href="/jobs/new" className="button button-primary">
            New job
          </Link>
        ) : null}
      </div>

      <div className="toolbar">
        <search>
          <label htmlFor="job-search">Search jobs</label>
          <input id="job-search" type="search" value={search} onChange={(e) => onSearch(e.target.value)} placeholder="Name contains…" />
        </search>
        <div className="field">
          <label htmlFor="job-status">Last run</label>
          <select
            id="job-status"
            value={status ?? ""}
            onChange={(e) => {
              setStatus(isLastStatusFilter(e.target.value) ? e.target.value : undefined);
              setPage(1);
            }}
          >
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div aria-live="polite" className="notice-region">
        {notice?.kind === "ok" ? (
          <p className="alert alert-ok">
            {notice.text} <Link href={`/runs/${notice.runId}`}>View run</Link>
          </p>
        ) : null}
        {notice?.kind === "error" ? <p className="alert alert-error">{notice.text}</p> : null}
      </div>

      {jobs.isError ? (
        <QueryError error={jobs.error} what="jobs" onRetry={() => jobs.refetch()} />
      ) : !jobs.data ? (
        <p className="muted" role="status">
          Loading jobs…
        </p>
      ) : jobs.data.count === 0 ? (
        <div className="empty">
          {q || status ? (
            <p>
              No jobs {q ? `match “${q}”` : ""}
              {q && status ? " and " : ""}
              {status ? (status === "never" ? "have never run" : `have a last run that is ${statusLabel}`) : ""}.
            </p>
          ) : (
            <>
              <p>No jobs yet.</p>
              {canEdit(me.data, defaultWorkspaceId(me.data)) ? (
                <p>
                  <Link href="/jobs/new">Create your first job</Link> to pull records from an HTTP API into a dataset.
                </p>
              ) : null}
            </>
          )}
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{sort === DEFAULT_JOB_SORT ? "Jobs, newest first" : "Jobs"}</caption>
              <thead>
                <tr>
                  <JobSortHeader field="name" label="Name" sort={sort} onSort={onSort} />
                  <th scope="col">Last run</th>
                  <JobSortHeader field="lastRunAt" label="Last run at" sort={sort} descendingFirst onSort={onSort} />
                  <th scope="col">Duration</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.results.map((job) => (
                  <tr key={job.id}>
                    <td>
                      <Link href={`/jobs/${job.id}`} className="strong-link">
                        {job.name}
                      </Link>
                      {job.description ? <div className="muted small">{job.description}</div> : null}
                    </td>
                    <td>
                      {job.lastRun ? (
                        <Link href={`/runs/${job.lastRun.id}`} aria-label={`Last run: ${job.lastRun.status}`}>
                          <StatusBadge status={job.lastRun.status} />
                        </Link>
                      ) : (
                        <span className="muted">Never run</span>
                      )}
                    </td>
                    <td>{job.lastRun ? formatDateTime(job.lastRun.createdAt) : "—"}</td>
                    <td>{formatDuration(job.lastRun?.durationMs)}</td>
                    <td className="actions-cell">
                      {canEdit(me.data, job.workspaceId) ? (
                        <RunNowButton
                          jobId={job.id}
                          jobName={job.name}
                          onStarted={(run) => setNotice({ kind: "ok", text: `Run of “${job.name}” queued.`, runId: run.id })}
                          onFailed={(text) => setNotice({ kind: "error", text: `Could not run “${job.name}”: ${text}` })}
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="jobs"
            page={page}
            pageSize={PAGE_SIZE}
            count={jobs.data.count}
            hasNext={Boolean(jobs.data.next)}
            hasPrevious={Boolean(jobs.data.previous)}
            onPageChange={setPage}
          />
        </>
      )}
    </>
  );
}
