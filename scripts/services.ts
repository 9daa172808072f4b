import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";

/**
 * Start-up chores shared by `npm run dev` and `npm start`: a .env to begin with, and local
 * PostgreSQL and Redis running (started here when installed but stopped).
 */

export function ensureEnvFile(): void {
  if (existsSync(".env")) return;
  copyFileSync(".env.example", ".env");
  const text = readFileSync(".env", "utf8")
    .replace(/^NEXTAUTH_SECRET=.*$/m, `NEXTAUTH_SECRET=${randomBytes(32).toString("base64url")}`)
    .replace(/^ENCRYPTION_KEY=.*$/m, `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`);
  writeFileSync(".env", text);
  console.log("Created .env from .env.example with a fresh NEXTAUTH_SECRET and ENCRYPTION_KEY.");
}

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const has = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;

async function waitFor(host: string, port: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function isLocal(host: string) {
  return host === "localhost" || host === "127.0.0.1" || host === "::1";
}

export async function ensurePostgres(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const host = url.hostname || "127.0.0.1";
  const port = Number(url.port || 5432);
  if (await reachable(host, port)) return;
  if (!isLocal(host)) throw new Error(`PostgreSQL at ${host}:${port} is not reachable; check DATABASE_URL.`);
  if (has("pg_ctlcluster") && has("pg_lsclusters")) {
    console.log("Starting local PostgreSQL…");
    const clusters = execFileSync("pg_lsclusters", ["--no-header"], { encoding: "utf8" }).trim().split("\n");
    const [version, name] = (clusters[0] ?? "").split(/\s+/);
    if (version && name) spawnSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, "start"], { stdio: "inherit" });
  } else if (has("pg_ctl") && process.env.PGDATA) {
    console.log("Starting local PostgreSQL with pg_ctl…");
    spawnSync("pg_ctl", ["start", "-w", "-D", process.env.PGDATA], { stdio: "inherit" });
  }
  if (await waitFor(host, port, 15)) return;
  throw new Error(
    `PostgreSQL is not running at ${host}:${port} and could not be started.\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install -y postgresql) or point DATABASE_URL at a server.`,
  );
}

export async function ensureRedis(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const host = url.hostname || "127.0.0.1";
  const port = Number(url.port || 6379);
  if (await reachable(host, port)) return;
  if (!isLocal(host)) throw new Error(`Redis at ${host}:${port} is not reachable; check REDIS_URL.`);
  if (has("redis-server")) {
    console.log("Starting local Redis…");
    spawnSync(
      "redis-server",
      ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", String(port), "--maxmemory-policy", "noeviction"],
      { stdio: "inherit" },
    );
  }
  if (await waitFor(host, port, 10)) return;
  throw new Error(
    `Redis is not running at ${host}:${port} and could not be started.\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) or point REDIS_URL at a server.`,
  );
}

/** MariaDB (or MySQL) on 127.0.0.1:3306, root without password: the integration tests' stand-in for users' MySQL servers. */
export async function ensureMysql(host = "127.0.0.1", port = 3306): Promise<void> {
  if (await reachable(host, port)) return;
  if (has("start-stop-daemon") && existsSync("/usr/sbin/mariadbd")) {
    console.log("Starting local MariaDB…");
    spawnSync("start-stop-daemon", ["--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"], { stdio: "inherit" });
  }
  if (await waitFor(host, port, 20)) return;
  throw new Error(
    `MariaDB is not running at ${host}:${port} and could not be started; the mysql source and destination tests need it.\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install -y mariadb-server).`,
  );
}
