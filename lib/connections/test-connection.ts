import "server-only";
import type { ConnectionTestResult } from "@/lib/schemas/connections";
import { EtlError } from "@/lib/etl/errors";
import { safeFetch, type OutboundResponse } from "@/lib/security/outbound";
import { driverError } from "./driver-error";
import { authHeaders } from "./http-auth";
import { closeMysql, connectMysql } from "./mysql";
import { openPostgres } from "./postgres";
import type { ResolvedDatabaseConnection, ResolvedHttpConnection } from "./resolve";

const HTTP_TEST_TIMEOUT_MS = 10_000;

/**
 * The "test connection" action: connects with the saved credentials and reports the server's
 * version, or the driver's (or the HTTP server's) answer when it fails. Never throws for a failed
 * test: a refused connection is a result, not an error.
 */
export async function testConnection(
  connection: ResolvedDatabaseConnection | ResolvedHttpConnection,
  options: { url?: string },
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const result = (ok: boolean, message: string) => ({ ok, message, durationMs: Math.round(performance.now() - started) });
  try {
    switch (connection.type) {
      case "postgres":
        return result(true, `Connected to ${await postgresVersion(connection)}.`);
      case "mysql":
        return result(true, `Connected to ${await mysqlVersion(connection)}.`);
      case "http":
        return await testHttp(connection, options.url!, result);
    }
  } catch (error) {
    const system = connection.type === "mysql" ? "MySQL" : "PostgreSQL";
    return result(false, driverError(error, system, connection.secret).message);
  }
}

async function postgresVersion(connection: ResolvedDatabaseConnection): Promise<string> {
  const sql = openPostgres(connection);
  try {
    const [row] = await sql<{ version: string }[]>`SELECT version() AS version`;
    // "PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, …": the name and number say enough.
    return row!.version.split(" ").slice(0, 2).join(" ");
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function mysqlVersion(connection: ResolvedDatabaseConnection): Promise<string> {
  const conn = await connectMysql(connection);
  try {
    const [rows] = await conn.promise().query("SELECT VERSION() AS version");
    const version = String((rows as { version: string }[])[0]!.version);
    return /mariadb/i.test(version) ? `MariaDB ${version.split("-")[0]}` : `MySQL ${version}`;
  } finally {
    await closeMysql(conn);
  }
}

async function testHttp(
  connection: ResolvedHttpConnection,
  url: string,
  result: (ok: boolean, message: string) => ConnectionTestResult,
): Promise<ConnectionTestResult> {
  const target = new URL(url);
  const where = `${target.origin}${target.pathname}`;
  let response: OutboundResponse;
  try {
    response = await safeFetch(
      target,
      { headers: { accept: "application/json", ...authHeaders(connection) }, signal: AbortSignal.timeout(HTTP_TEST_TIMEOUT_MS) },
      // A redirect elsewhere must not receive the credentials: report it instead of following it.
      { followRedirects: false },
    );
  } catch (error) {
    if (error instanceof EtlError) return result(false, error.message);
    const cause = (error as { code?: string }).code;
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${HTTP_TEST_TIMEOUT_MS} ms` : `network error${cause ? ` ${cause}` : ""}`;
    return result(false, `Request to ${where} failed: ${reason}.`);
  }
  await response.discard();
  const status = `${where} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (response.status >= 300 && response.status < 400) return result(false, `${status} (a redirect; test the URL it points to).`);
  if (response.status === 401 || response.status === 403) return result(false, `${status}: the credentials were refused.`);
  return result(response.ok, `${status}.`);
}
