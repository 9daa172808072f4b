import { ApiError, errorMessage } from "@/components/api-client";

/** The error state of a query: what went wrong, each problem the server named, and a way to try again. */
export function QueryError({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  const problems = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  return (
    <div role="alert" className="alert alert-error">
      <p>
        Could not load {what}: {errorMessage(error)}
      </p>
      {problems.length > 0 ? (
        <ul>
          {problems.map((problem, i) => (
            // The server's list, in its order: the same parameter may be named twice.
            <li key={i}>
              {problem.path ? <code>{problem.path}</code> : null} {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
