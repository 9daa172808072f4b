import "server-only";
import net from "node:net";
import { Readable } from "node:stream";
import mysql from "mysql2";
import { databaseAddress } from "./database-address";
import { numericValue } from "./values";
import type { ResolvedDatabaseConnection } from "./resolve";

const BINARY_TYPES = new Set(["TINY_BLOB", "MEDIUM_BLOB", "LONG_BLOB", "BLOB", "VAR_STRING", "STRING", "BIT"]);

/**
 * A connection for a saved MySQL or MariaDB connection, once the server has accepted it: dates
 * and times as the server prints them, exact decimals (see ./values.ts), binary values as 0x…
 * hex, and no LOAD DATA LOCAL (a hostile server could otherwise ask for the worker's files).
 */
export async function connectMysql(connection: ResolvedDatabaseConnection): Promise<mysql.Connection> {
  const { address } = await databaseAddress(connection);
  const conn = mysql.createConnection({
    host: connection.host,
    port: connection.port,
    // The address the outbound rules checked; `host` still names the server for TLS.
    stream: () => net.connect({ host: address, port: connection.port }),
    database: connection.database,
    user: connection.user,
    password: connection.secret ?? undefined,
    ssl: connection.ssl === "disable" ? undefined : { rejectUnauthorized: connection.ssl === "verify-full" },
    connectTimeout: 10_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: "Z",
    charset: "utf8mb4",
    multipleStatements: false,
    flags: ["-LOCAL_FILES"],
    // A hostile server may ask for a local file even so: answer with an error, never with a file.
    infileStreamFactory: refuseLocalFile,
    typeCast(field, next) {
      if (field.type === "NEWDECIMAL" || field.type === "DECIMAL") {
        const text = field.string();
        return text === null ? null : numericValue(text);
      }
      if (field.extendedFormat === "json") {
        const text = field.string();
        return text === null ? null : JSON.parse(text);
      }
      const value = next();
      if (BINARY_TYPES.has(field.type) && Buffer.isBuffer(value)) return `0x${value.toString("hex")}`;
      return value;
    },
  });
  // A dropped connection is also emitted as an event; without a listener it would be an uncaught
  // exception. The query or stream waiting on the connection rejects with the same error.
  conn.on("error", () => {});
  // Waiting for the handshake here makes a refused login fail this call: a query sent later to a
  // connection that already failed would wait forever.
  await new Promise<void>((resolve, reject) => conn.connect((error) => (error ? reject(error) : resolve())));
  return conn;
}

function refuseLocalFile(path: string): Readable {
  return new Readable({
    read() {
      this.destroy(new Error(`The server asked for the local file ${path.slice(0, 200)}; LOAD DATA LOCAL is refused.`));
    },
  });
}

/** Stops the statement a connection is running: closing its socket alone leaves the server executing it. */
export async function killQuery(connection: ResolvedDatabaseConnection, threadId: number): Promise<void> {
  const killer = await connectMysql(connection);
  try {
    await killer.promise().query(`KILL QUERY ${Math.trunc(threadId)}`);
  } finally {
    await closeMysql(killer);
  }
}

/** Ends the connection, waiting for a clean goodbye only briefly. */
export async function closeMysql(connection: mysql.Connection): Promise<void> {
  await Promise.race([
    connection.promise().end().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 1000).unref()),
  ]);
  connection.destroy();
}
