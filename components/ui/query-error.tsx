import { errorMessage } from "@/components/api-client";

/** The error state of a query: what went wrong and a way to try again. */
export function QueryError({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  return (
    <div role="alert" className="alert alert-error">
      <p>
        Could not load {what}: {errorMessage(error)}
      </p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
