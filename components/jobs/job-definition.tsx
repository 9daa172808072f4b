import type { HttpSource, Job, Pagination, TransformStep } from "@/lib/schemas/jobs";

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

function describeStep(step: TransformStep): string {
  switch (step.op) {
    case "normalize":
      return `Normalize nested objects (separator “${step.sep}”${step.maxLevel !== undefined ? `, depth ${step.maxLevel}` : ""})`;
    case "select":
      return `Select ${step.columns.join(", ")}`;
    case "drop":
      return `Drop ${step.columns.join(", ")}`;
    case "rename":
      return `Rename ${Object.entries(step.columns)
        .map(([from, to]) => `${from} → ${to}`)
        .join(", ")}`;
    default: {
      const { op, ...settings } = step;
      return `${op} ${JSON.stringify(settings)}`;
    }
  }
}

const keys = (map: Record<string, string>) => Object.keys(map).join(", ") || "none";

function HttpSourceFacts({ source }: { source: HttpSource }) {
  return (
    <>
      <dt>Source</dt>
      <dd>
        <span className="tag">{source.method}</span> <code className="break">{source.url}</code>
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

/** The job definition as a reader wants it: source, steps, destination, retries. */
export function JobDefinition({ job }: { job: Job }) {
  const { source, destination } = job;
  return (
    <dl className="definition">
      {source.type === "http" ? (
        <HttpSourceFacts source={source} />
      ) : (
        <>
          <dt>Source</dt>
          <dd>
            {source.type === "file" ? `Uploaded ${source.format.toUpperCase()} file` : source.type}{" "}
            <code className="break">{JSON.stringify(source)}</code>
          </dd>
        </>
      )}
      <dt>Transform</dt>
      <dd>
        {job.transform.length === 0 ? (
          "no steps"
        ) : (
          <ol className="compact-list">
            {job.transform.map((step, index) => (
              <li key={index}>{describeStep(step)}</li>
            ))}
          </ol>
        )}
      </dd>
      <dt>Destination</dt>
      <dd>
        Dataset, {destination.mode}
        {destination.key ? ` by ${destination.key.join(", ")}` : ""}
      </dd>
      <dt>Retries</dt>
      <dd>
        {job.retry.attempts} attempts, backoff from {job.retry.backoffSeconds} s
      </dd>
    </dl>
  );
}
