import "@/lib/load-env-files";
import { closeDb, db } from "@/lib/db/client";
import { ensureFirstAdmin } from "@/lib/db/queries/users";
import { env } from "@/lib/env";

if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) {
  console.log("ADMIN_EMAIL / ADMIN_PASSWORD not set: no first admin created.");
} else {
  const result = await ensureFirstAdmin(db, env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
  console.log(result === "created" ? `First admin ${env.ADMIN_EMAIL} created.` : "Users exist already: seed skipped.");
}
await closeDb();
