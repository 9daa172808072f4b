"use client";

import { useEffect, useId, useRef, useState } from "react";
import { downloadText } from "@/components/ui/download-text";
import { formatTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { logLevelSchema } from "@/lib/schemas/runs";
import type { Run, RunLog as RunLogLine } from "@/lib/schemas/runs";
import { useRunLog } from "./run-queries";

type Level = RunLogLine["level"];
const LEVELS = logLevelSchema.options;

/** The whole log as text, one line per entry with its time, level, message and data. */
export function logAsText(lines: RunLogLine[]): string {
  return lines
    .map((line) => `${line.ts} ${line.level.toUpperCase().padEnd(5)} ${line.message}${line.data ? ` ${JSON.stringify(line.data)}` : ""}\n`)
    .join("");
}

/**
 * The run's log lines, polled while the run is live; the newest stay in view unless the reader
 * has scrolled up. The reader can hide levels, search, jump to the first error and download
 * the whole log.
 */
export function RunLog({ run }: { run: Run }) {
  const log = useRunLog(run.id, run);
  const live = run.status === "pending" || run.status === "running";
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const id = useId();
  const [levels, setLevels] = useState<Set<Level>>(() => new Set(LEVELS));
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim().toLowerCase(), 200);
  const lines = log.data ?? [];
  const shown = lines.filter((line) => levels.has(line.level) && (!q || line.message.toLowerCase().includes(q)));
  const firstError = lines.find((line) => line.level === "error");

  useEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length]);

  const jumpToError = () => {
    if (!firstError) return;
    // The error must be shown to be reached: bring its level back and drop a search that hides it.
    if (!levels.has("error")) setLevels(new Set([...levels, "error"]));
    if (q && !firstError.message.toLowerCase().includes(q)) setSearch("");
    pinned.current = false;
    requestAnimationFrame(() => {
      const target = document.getElementById(`${id}-line-${firstError.id}`);
      target?.scrollIntoView({ block: "center" });
      target?.focus();
    });
  };

  if (log.isError && lines.length === 0) return <QueryError error={log.error} what="the log" onRetry={() => log.refetch()} />;
  return (
    <>
      <div className="log-toolbar">
        <fieldset className="inline-choices">
          <legend className="visually-hidden">Levels to show</legend>
          {LEVELS.map((level) => (
            <label key={level} className="checkbox-label">
              <input
                type="checkbox"
                checked={levels.has(level)}
                onChange={(e) => {
                  const next = new Set(levels);
                  if (e.target.checked) next.add(level);
                  else next.delete(level);
                  setLevels(next);
                }}
              />{" "}
              {level}
            </label>
          ))}
        </fieldset>
        <div className="field log-search">
          <label htmlFor={`${id}-search`}>Search the log</label>
          <input id={`${id}-search`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="actions">
          <button type="button" className="button" disabled={!firstError} onClick={jumpToError}>
            Jump to first error
          </button>
          <button
            type="button"
            className="button"
            disabled={lines.length === 0}
            onClick={() => downloadText(`run-${run.id}.log`, logAsText(lines), "text/plain")}
          >
            Download log
          </button>
        </div>
      </div>
      <p className="muted small" aria-live="polite">
        {shown.length === lines.length ? `${lines.length} lines` : `${shown.length} of ${lines.length} lines shown`}
        {live ? " · updating live" : ""}
      </p>
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
        ) : shown.length === 0 ? (
          <p className="muted">No lines match the levels and search.</p>
        ) : (
          <ol className="log-lines">
            {shown.map((line) => (
              <LogLine key={line.id} line={line} domId={`${id}-line-${line.id}`} />
            ))}
          </ol>
        )}
      </div>
    </>
  );
}

function LogLine({ line, domId }: { line: RunLogLine; domId: string }) {
  return (
    <li id={domId} tabIndex={line.level === "error" ? -1 : undefined} className={`log-line log-${line.level}`}>
      <time dateTime={line.ts}>{formatTime(line.ts)}</time>
      <span className="log-level">{line.level.toUpperCase()}</span>
      <span className="log-message">{line.message}</span>
    </li>
  );
}
