import "@/lib/load-env-files";
import { env } from "@/lib/env";
import { ensureMysql, ensurePostgres, ensureRedis } from "./services";

// Tests need PostgreSQL, Redis and MariaDB; start local ones when they are installed but not running.
try {
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
  await ensureMysql();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
