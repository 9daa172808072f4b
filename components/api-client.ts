import { problemSchema, type Problem } from "@/lib/schemas/common";

/** A failed API call, carrying the server's problem+json (or one made up for a non-JSON answer). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
  }

  get status(): number {
    return this.problem.status;
  }
}

type Query = Record<string, string | number | undefined | null>;

/** Builds `/api/v1/<path>?…`, leaving out empty parameters. */
export function apiPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/v1/${path.replace(/^\//, "")}${search ? `?${search}` : ""}`;
}

type Options = { method?: "GET" | "POST" | "PATCH" | "DELETE"; body?: unknown; signal?: AbortSignal };

/**
 * Calls the REST API with the session cookie. Resolves with the parsed JSON (undefined for 204)
 * and throws ApiError for any non-2xx answer, or for a network failure.
 */
export async function apiFetch<T>(path: string, { method = "GET", body, signal }: Options = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path.startsWith("/api/") ? path : apiPath(path), {
      method,
      signal,
      credentials: "same-origin",
      headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: "The server could not be reached." });
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(toProblem(response, data));
  return data as T;
}

function toProblem(response: Response, data: unknown): Problem {
  const parsed = problemSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  return {
    type: "about:blank",
    title: response.statusText || "Error",
    status: response.status,
    detail: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`,
  };
}

/** A sentence to show for any error thrown by a query or mutation. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
