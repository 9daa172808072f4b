"use client";

import { useEffect, useRef } from "react";
import { formatTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import type { Run, RunLog as RunLogLine } from "@/lib/schemas/runs";
import { useRunLog } from "./run-queries";

/**
 * The run's log lines with their level. While the run is live it polls for new lines and keeps
 * the newest in view, unless the reader has scrolled up to read older ones.
 */
export function RunLog({ run }: { run: Run }) {
  const log = useRunLog(run.id, run);
  const live = run.status === "pending" || run.status === "running";
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const lines = log.data ?? [];

  useEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length]);

  if (log.isError && lines.length === 0) return <QueryError error={log.error} what="the log" onRetry={() => log.refetch()} />;
  return (
    <div
      ref={box}
      className="log"
      tabIndex={0}
      role="log"
      aria-label="Run log"
      aria-busy={log.isPending}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.length === 0 ? (
        <p className="muted">{log.isPending ? "Loading the log…" : live ? "Waiting for the first lines…" : "No log lines."}</p>
      ) : (
        <ol className="log-lines">
          {lines.map((line) => (
            <LogLine key={line.id} line={line} />
          ))}
        </ol>
      )}
    </div>
  );
}

function LogLine({ line }: { line: RunLogLine }) {
  return (
    <li className={`log-line log-${line.level}`}>
      <time dateTime={line.ts}>{formatTime(line.ts)}</time>
      <span className="log-level">{line.level.toUpperCase()}</span>
      <span className="log-message">{line.message}</span>
    </li>
  );
}
