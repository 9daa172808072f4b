"use client";

import Link from "next/link";
import { useState } from "react";
import { useJobRuns } from "@/components/jobs/job-queries";
import { formatCount, formatDateTime, formatDuration, runDuration } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { StatusBadge } from "@/components/ui/status-badge";

const PAGE_SIZE = 10;

/** A job's runs, newest first, refreshing by itself while one is pending or running. */
export function RunHistory({ jobId }: { jobId: string }) {
  const [page, setPage] = useState(1);
  const runs = useJobRuns(jobId, page, PAGE_SIZE);

  if (runs.isError) return <QueryError error={runs.error} what="runs" onRetry={() => runs.refetch()} />;
  if (!runs.data) return <p className="muted">Loading runs…</p>;
  if (runs.data.count === 0) return <p className="empty">No runs yet.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Runs of this job, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col" className="numeric">
                Rows loaded
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.data.results.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link href={`/runs/${run.id}`} aria-label={`Run of ${formatDateTime(run.createdAt)}`}>
                    <code>{run.id.slice(0, 8)}</code>
                  </Link>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{run.trigger}</td>
                <td>{formatDateTime(run.startedAt ?? run.createdAt)}</td>
                <td>{formatDuration(runDuration(run))}</td>
                <td className="numeric">{formatCount(run.rowsLoaded)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        label="runs"
        page={page}
        pageSize={PAGE_SIZE}
        count={runs.data.count}
        hasNext={Boolean(runs.data.next)}
        hasPrevious={Boolean(runs.data.previous)}
        onPageChange={setPage}
      />
    </>
  );
}
