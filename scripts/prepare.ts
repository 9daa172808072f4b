import { ensureEnvFile, ensurePostgres, ensureRedis } from "./services";

/** Everything before web and worker start: .env, services, migrations, the first admin. */
export async function prepare(): Promise<void> {
  ensureEnvFile();
  await import("@/lib/load-env-files");
  const { env } = await import("@/lib/env");
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
  const { migrateDatabase } = await import("@/lib/db/migrate");
  await migrateDatabase(env.DATABASE_URL, env.DATASET_SCHEMA);
  console.log("Database migrated.");
  const { closeDb, db } = await import("@/lib/db/client");
  const { ensureFirstAdmin } = await import("@/lib/db/queries/users");
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
    const seeded = await ensureFirstAdmin(db, env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
    if (seeded === "created") console.log(`First admin created: ${env.ADMIN_EMAIL} (password from ADMIN_PASSWORD in .env).`);
  }
  await closeDb();
}

/** The worker from its TypeScript source, for `npm run dev` and the e2e stack; `npm start` and the Docker image run the bundle (worker-bundle.ts). */
export const workerCommand: [string, string[]] = [
  process.execPath,
  ["--conditions=react-server", "--import", "tsx", "worker/index.ts"],
];
