/**
 * Conventions every operation of the OpenAPI document follows, applied to the generated document
 * so that paths registered anywhere get them: an operationId (client generators name their
 * methods after it) and an explicit `security` — an empty list marks a public operation instead
 * of leaving it unstated.
 */

type Operation = { operationId?: string; security?: unknown[] };

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** "get /api/v1/jobs/{id}/runs" → "getJobsByIdRuns": stable, unique per method and path. */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/(v1\/)?/, "")
    .split("/")
    .filter(Boolean)
    .map((part) => (part.startsWith("{") ? `By${pascal(part.slice(1, -1))}` : pascal(part)));
  return method.toLowerCase() + words.join("");
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
}

export function applyConventions<D extends { paths?: object }>(document: D): D {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, value] of Object.entries(item as object)) {
      if (!METHODS.has(method)) continue;
      const operation = value as Operation;
      operation.operationId ??= operationIdFor(method, path);
      operation.security ??= [];
    }
  }
  return document;
}
