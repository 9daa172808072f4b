import "@/lib/load-env-files";
import { closeDb, db } from "@/lib/db/client";
import { reencryptSecrets } from "@/lib/connections/rotate-secrets";
import { secrets } from "@/lib/crypto/secrets";

// Step 3 of a key rotation (see .env.example): re-encrypt with ENCRYPTION_KEY whatever an older key still protects.
const report = await reencryptSecrets(db, secrets());
console.log(`Re-encrypted ${report.reencrypted} of ${report.total} stored secrets with the current ENCRYPTION_KEY.`);
if (report.unreadable.length > 0) {
  console.error(`No configured key opens the secrets of these connections: ${report.unreadable.join(", ")}. Add their key to ENCRYPTION_KEYS_PREVIOUS, or save them anew.`);
}
await closeDb();
process.exit(report.unreadable.length > 0 ? 1 : 0);
