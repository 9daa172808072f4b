import { ZodError } from "zod";
import { logger } from "@/lib/logger";
import type { Problem } from "@/lib/schemas/common";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An error whose message is safe to show the caller; everything else becomes a generic 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: Problem["errors"],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = "HttpError";
  }
}

export const notFound = (what = "resource") => new HttpError(404, `The ${what} does not exist.`);
export const forbidden = (detail = "Your role does not allow this action.") => new HttpError(403, detail);
export const unauthorized = () =>
  new HttpError(401, "Sign in, or send a valid API token as 'Authorization: Bearer <token>'.");

export function problemResponse(status: number, detail?: string, errors?: Problem["errors"], headers?: HeadersInit) {
  const body: Problem = {
    type: status === 422 ? "https://dataflowhub.dev/problems/validation" : "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    ...(detail ? { detail } : {}),
    ...(errors ? { errors } : {}),
  };
  return Response.json(body, { status, headers: { ...headers, "content-type": "application/problem+json" } });
}

export function zodProblems(error: ZodError): NonNullable<Problem["errors"]> {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED"]);

/** The driver's error code; drizzle wraps driver errors in a DrizzleQueryError that carries it in `cause`. */
function errorCode(error: unknown): unknown {
  return driverField(error, "code");
}

/** PostgreSQL could not take a value as its column's type (SQLSTATE class 22, data exception). */
export function isDataException(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === "string" && code.startsWith("22");
}

/** The detail of a data exception caused by the request's values. */
export const VALUE_MISFIT = "A value in the request does not fit the type of the column it is compared with.";

/** A field of the driver's error, which drizzle carries in `cause`. */
function driverField(error: unknown, field: "code" | "constraint_name"): unknown {
  const own = (error as Record<string, unknown> | null)?.[field];
  return own ?? ((error as { cause?: Record<string, unknown> | null } | null)?.cause ?? undefined)?.[field];
}

/** What a unique index refusing a write means to the caller, by the index's name (lib/db/schema). */
const DUPLICATE_MESSAGES: Record<string, string> = {
  jobs_workspace_name_key: "A job with this name already exists in the workspace.",
  connections_workspace_name_key: "A connection with this name already exists in the workspace.",
  users_email_key: "A user with this email already exists.",
};

/** Maps anything thrown by a handler to problem+json, logging only what the caller must not see. */
export function toProblemResponse(error: unknown): Response {
  if (error instanceof HttpError) return problemResponse(error.status, error.detail, error.errors, error.headers);
  if (error instanceof ZodError) {
    return problemResponse(422, "The request did not validate.", zodProblems(error));
  }
  const code = errorCode(error);
  if (isDataException(error)) return problemResponse(400, VALUE_MISFIT);
  if (code === "23505") {
    const constraint = driverField(error, "constraint_name");
    return problemResponse(409, (typeof constraint === "string" && DUPLICATE_MESSAGES[constraint]) || "A resource with the same unique value already exists.");
  }
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) {
    return problemResponse(503, "A dependency (database or queue) is unavailable; retry shortly.", undefined, {
      "retry-after": "5",
    });
  }
  logger.error({ err: error }, "unhandled error in route handler");
  return problemResponse(500, "An unexpected error occurred.");
}
