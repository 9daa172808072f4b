import "@/lib/load-env-files";
import { migrateDatabase } from "@/lib/db/migrate";
import { env } from "@/lib/env";

await migrateDatabase(env.DATABASE_URL, env.DATASET_SCHEMA);
console.log("Database migrated.");
