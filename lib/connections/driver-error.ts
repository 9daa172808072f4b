import { EtlError } from "@/lib/etl/errors";
import { SECRET_MASK } from "@/lib/schemas/connections";

type DriverFailure = { code?: unknown; sqlState?: unknown; sqlMessage?: unknown; message?: unknown; name?: unknown };

// SQLSTATE classes worth retrying: connection exceptions, transaction rollbacks (deadlocks,
// serialization), insufficient resources, operator intervention (shutdown, statement timeout) and
// system errors. Everything else (syntax, permissions, authentication, data) fails the same way again.
const TRANSIENT_CLASSES = new Set(["08", "40", "53", "57", "58", "HY"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "PROTOCOL_CONNECTION_LOST",
]);

/**
 * Turns a PostgreSQL or MySQL driver error into a message for the job's owner: the server's or the
 * network's own words (the user needs "syntax error at or near …" or "password authentication
 * failed"), first line only, with the connection's secret blanked out should a server echo it, and
 * never a stack trace or the query text.
 */
export function driverError(error: unknown, system: "PostgreSQL" | "MySQL", secret?: string | null): EtlError {
  if (error instanceof EtlError) return error;
  const failure = (error ?? {}) as DriverFailure;
  const sqlState = typeof failure.sqlState === "string" ? failure.sqlState
    : failure.name === "PostgresError" && typeof failure.code === "string" ? failure.code
    : undefined;
  const code = typeof failure.code === "string" ? failure.code : undefined;
  const raw = typeof failure.sqlMessage === "string" ? failure.sqlMessage : typeof failure.message === "string" ? failure.message : "unknown error";
  let text = raw.split("\n")[0]!.trim().slice(0, 500);
  if (secret && secret.length >= 3) text = text.split(secret).join(SECRET_MASK);

  if (sqlState) {
    // A statement timeout (57014) is hit again by the same query on the next attempt.
    const permanent = sqlState === "57014" || !TRANSIENT_CLASSES.has(sqlState.slice(0, 2));
    return new EtlError(`${system} error ${sqlState}: ${text}`, permanent);
  }
  if (code && NETWORK_CODES.has(code)) return new EtlError(`Could not reach ${system}: ${text}`, false);
  return new EtlError(`${system} error${code ? ` ${code}` : ""}: ${text}`, false);
}
