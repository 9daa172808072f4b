"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api-client";
import type { FileDto } from "@/lib/schemas/files";
import type { Destination, HttpSource, Job, Pagination, Source, TransformStep } from "@/lib/schemas/jobs";
import { opLabel } from "./step-ops";

function describePagination(p: Pagination): string {
  switch (p.type) {
    case "none":
      return "None (one request)";
    case "page":
      return `Page number: ${p.pageParam} from ${p.startPage}, ${p.sizeParam}=${p.pageSize}`;
    case "offset":
      return `Offset: ${p.offsetParam} / ${p.limitParam}=${p.limit}`;
    case "cursor":
      return `Cursor: ${p.cursorParam} from ${p.cursorPath}`;
    case "next_url":
      return `Next URL at ${p.nextUrlPath}`;
    case "link_header":
      return 'Link header rel="next"';
  }
}

const pairs = (map: Record<string, unknown>, joiner: string) =>
  Object.entries(map)
    .map(([key, value]) => `${key}${joiner}${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");

/** One step as a sentence: its op and what it does. */
export function describeStep(step: TransformStep): string {
  const label = opLabel(step.op);
  switch (step.op) {
    case "normalize":
      return `${label} nested objects (separator “${step.sep}”${step.maxLevel !== undefined ? `, depth ${step.maxLevel}` : ""})`;
    case "explode":
      return `${label} ${step.column}${step.prefix !== undefined ? ` (prefix “${step.prefix}”)` : ""}${step.keepEmpty ? ", keeping empty arrays" : ""}`;
    case "select":
    case "drop":
      return `${label} ${step.columns.join(", ")}`;
    case "rename":
      return `${label} ${pairs(step.columns, " → ")}`;
    case "filter":
      return `${label}: ${step.expr}`;
    case "derive":
      return `${label} ${pairs(step.columns, " = ")}`;
    case "cast":
      return `${label} ${pairs(step.columns, " as ")}`;
    case "fillNull":
      return `${label}: ${pairs(step.values, " ← ")}`;
    case "dedupe":
      return `${label}${step.columns ? ` by ${step.columns.join(", ")}` : " (every column)"}`;
    case "sort":
      return `${label} by ${step.by.map((key) => `${key.column}${key.desc ? " descending" : ""}`).join(", ")}`;
    case "limit":
      return `${label} to ${step.count} rows`;
    case "aggregate":
      return `${label}${step.groupBy.length ? ` by ${step.groupBy.join(", ")}` : ""}: ${pairs(step.metrics, " = ")}`;
  }
}

/** The uploaded file's name; its id while loading, or when it has been deleted. */
function UploadedFileName({ fileId }: { fileId: string }) {
  const file = useQuery({ queryKey: ["files", "one", fileId], queryFn: ({ signal }) => apiFetch<FileDto>(`files/${fileId}`, { signal }), staleTime: 60_000 });
  if (file.data) return <strong className="break">{file.data.name}</strong>;
  return (
    <code className="break">
      {fileId}
      {file.isError ? " (no longer available)" : ""}
    </code>
  );
}

const keys = (map: Record<string, string>) => Object.keys(map).join(", ") || "none";

function HttpSourceFacts({ source }: { source: HttpSource }) {
  return (
    <>
      <dt>Source</dt>
      <dd>
        <span className="tag">{source.method}</span> <code className="break">{source.url}</code>
        {source.connectionId ? " with saved credentials" : ""}
      </dd>
      <dt>Records path</dt>
      <dd>{source.recordsPath ? <code>{source.recordsPath}</code> : "the body itself"}</dd>
      <dt>Pagination</dt>
      <dd>
        {describePagination(source.pagination)}, at most {source.maxPages} pages
      </dd>
      <dt>Headers / query</dt>
      <dd>
        {keys(source.headers)} / {keys(source.query)}
      </dd>
      <dt>Timeout</dt>
      <dd>{source.timeoutMs} ms per request</dd>
    </>
  );
}

function SourceFacts({ source }: { source: Source }) {
  switch (source.type) {
    case "http":
      return <HttpSourceFacts source={source} />;
    case "file": {
      const options =
        source.format === "csv"
          ? `delimiter “${source.delimiter === "\t" ? "\\t" : source.delimiter}”, ${source.header ? "header row" : "no header"}, ${source.encoding}`
          : source.format === "xlsx"
            ? `sheet ${JSON.stringify(source.sheet)}, header row ${source.headerRow}`
            : source.format === "json"
              ? `records at ${source.recordsPath || "the top level"}`
              : "one record per line";
      return (
        <>
          <dt>Source</dt>
          <dd>
            Uploaded {source.format.toUpperCase()} file <UploadedFileName fileId={source.fileId} />
          </dd>
          <dt>Format</dt>
          <dd>{options}</dd>
        </>
      );
    }
    case "postgres":
    case "mysql":
      return (
        <>
          <dt>Source</dt>
          <dd>
            {source.type === "postgres" ? "PostgreSQL" : "MySQL"} query through connection <code className="break">{source.connectionId}</code>
          </dd>
          <dt>Query</dt>
          <dd>
            <pre className="code-block">{source.query}</pre>
          </dd>
          {source.incremental ? (
            <>
              <dt>Incremental</dt>
              <dd>
                rows with a greater <code>{source.incremental.column}</code> than the last successful run loaded
              </dd>
            </>
          ) : null}
        </>
      );
  }
}

function describeDestination(destination: Destination): string {
  const mode = `${destination.mode}${destination.key ? ` by ${destination.key.join(", ")}` : ""}`;
  if (destination.type === "dataset") return `Dataset, ${mode}`;
  const table = destination.schema ? `${destination.schema}.${destination.table}` : destination.table;
  return `${destination.type === "postgres" ? "PostgreSQL" : "MySQL"} table ${table} (connection ${destination.connectionId}), ${mode}`;
}

/** The job definition as a reader wants it: source, steps, destination, schedule, retries. */
export function JobDefinition({ job }: { job: Job }) {
  return (
    <dl className="definition">
      <SourceFacts source={job.source} />
      <dt>Transform</dt>
      <dd>
        {job.transform.length === 0 ? (
          "no steps"
        ) : (
          <ol className="compact-list">
            {job.transform.map((step, index) => (
              <li key={index} className="break">
                {describeStep(step)}
              </li>
            ))}
          </ol>
        )}
      </dd>
      <dt>Destination</dt>
      <dd>{describeDestination(job.destination)}</dd>
      <dt>Schedule</dt>
      <dd>
        {job.schedule ? (
          <>
            <code>{job.schedule.cron}</code> ({job.schedule.timezone})
            {job.nextRunAt ? `, next run ${new Date(job.nextRunAt).toLocaleString()}` : ""}
          </>
        ) : (
          "none: runs start on demand"
        )}
        {job.overlap === "skip" ? "; a trigger while a run is going is skipped" : ""}
      </dd>
      <dt>Retries</dt>
      <dd>
        {job.retry.attempts} attempts, backoff from {job.retry.backoffSeconds} s
      </dd>
      {job.notify ? (
        <>
          <dt>Webhook</dt>
          <dd>
            <code className="break">{job.notify.webhookUrl}</code> on {job.notify.on.join(" and ")}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
