import mysql from "mysql2/promise";
import postgres from "postgres";
import { db } from "@/lib/db/client";
import { insertConnection } from "@/lib/db/queries/connections";
import { secrets } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import type { ConnectionConfig } from "@/lib/schemas/connections";

/**
 * Real PostgreSQL and MariaDB databases standing in for the servers users connect jobs to, named
 * after this test run's own database so parallel runs never meet, and dropped afterwards.
 */

const runDatabase = decodeURIComponent(new URL(env.DATABASE_URL).pathname.slice(1));
const MYSQL_HOST = "127.0.0.1";
const MYSQL_PORT = 3306;

export type ExternalPostgres = Awaited<ReturnType<typeof createPostgresDatabase>>;
export type ExternalMysql = Awaited<ReturnType<typeof createMysqlDatabase>>;

export async function createPostgresDatabase(suffix: string) {
  const name = `${runDatabase}_${suffix}`;
  const adminUrl = new URL(env.DATABASE_URL);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  return {
    name,
    sql,
    config: {
      type: "postgres",
      host: url.hostname,
      port: Number(url.port || 5432),
      database: name,
      user: decodeURIComponent(url.username) || "postgres",
      ssl: "disable",
    } satisfies ConnectionConfig,
    async drop() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A MariaDB database and a user of its own with a password (root has none, so it could not prove a secret is sent). */
export async function createMysqlDatabase(suffix: string, password: string) {
  const name = `${runDatabase}_${suffix}`.slice(0, 64);
  const user = `u${name.replace(/\D/g, "").slice(-20)}${suffix}`.slice(0, 32);
  const root = await mysql.createConnection({ host: MYSQL_HOST, port: MYSQL_PORT, user: "root", multipleStatements: true });
  await root.query(`DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await root.query(`DROP USER IF EXISTS '${user}'@'%'; CREATE USER '${user}'@'%' IDENTIFIED BY ${root.escape(password)}`);
  await root.query(`GRANT ALL ON \`${name}\`.* TO '${user}'@'%'`);
  const conn = await mysql.createConnection({
    host: MYSQL_HOST,
    port: MYSQL_PORT,
    user: "root",
    database: name,
    dateStrings: true,
    timezone: "Z",
    supportBigNumbers: true,
    multipleStatements: true,
  });
  await conn.query("SET time_zone = '+00:00'");
  return {
    name,
    user,
    conn,
    config: { type: "mysql", host: MYSQL_HOST, port: MYSQL_PORT, database: name, user, ssl: "disable" } satisfies ConnectionConfig,
    async drop() {
      await conn.end();
      await root.query(`DROP DATABASE IF EXISTS \`${name}\`; DROP USER IF EXISTS '${user}'@'%'`);
      await root.end();
    },
  };
}

/** Saves a connection straight through the query layer, its secret encrypted as the API would. */
export async function saveConnection(params: {
  workspaceId: string;
  userId: string;
  name: string;
  config: ConnectionConfig;
  secret?: string;
}) {
  return insertConnection(db, {
    workspaceId: params.workspaceId,
    name: params.name,
    config: params.config,
    secret: params.secret === undefined ? null : secrets().encrypt(params.secret),
    createdBy: params.userId,
  });
}
