import "server-only";
import postgres from "postgres";
import { connectDatabaseSocket } from "./database-address";
import { bigintValue, numericValue } from "./values";
import type { ResolvedDatabaseConnection } from "./resolve";

const asText = (text: string) => text;
// Parameters go out as written: the default date serializer would round a cursor value such as
// "2024-01-02 03:04:05.123456+00" to milliseconds through a JavaScript Date.
const serialize = (value: unknown) =>
  value instanceof Date ? value.toISOString() : Buffer.isBuffer(value) ? `\\x${value.toString("hex")}` : String(value);

// OIDs of PostgreSQL types whose default parsing loses information (see ./values.ts).
const exactTypes = {
  dfhInt8: { to: 20, from: [20], parse: bigintValue, serialize },
  dfhNumeric: { to: 1700, from: [1700], parse: numericValue, serialize },
  dfhDateTime: { to: 1184, from: [1082, 1114, 1184], parse: asText, serialize },
  dfhBytea: { to: 17, from: [17], parse: asText, serialize },
};

export type ExternalSql = postgres.Sql<Record<string, never>>;

/**
 * A client for a saved PostgreSQL connection. Every option is explicit: postgres.js would otherwise
 * fill gaps from this process's PG* variables (an empty password would become the worker's own
 * PGPASSWORD, sent to whatever host the user named), and no option reads a local file (no
 * sslrootcert, sslkey, passfile or service file; no Unix socket). One connection by default: a
 * load keeps its temporary staging table on it, a source its read-only transaction.
 */
export function openPostgres(connection: ResolvedDatabaseConnection, options: { max?: number } = {}): ExternalSql {
  return postgres({
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    password: () => connection.secret ?? "",
    ssl: connection.ssl === "disable" ? false : connection.ssl,
    max: options.max ?? 1,
    connect_timeout: 10,
    idle_timeout: 0,
    max_lifetime: null,
    // Queries run once each; named prepared statements would only pile up on the server.
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "dataflowhub", TimeZone: "UTC" },
    types: exactTypes,
    // Every connection (and cancel request) goes to the address the outbound rules checked.
    // postgres.js documents this option but leaves it out of its types.
    ...({ socket: () => connectDatabaseSocket(connection) } as object),
  }) as unknown as ExternalSql;
}
