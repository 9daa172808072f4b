import "server-only";
import type { Db } from "@/lib/db/client";
import { listConnectionSecrets, setConnectionSecret } from "@/lib/db/queries/connections";
import { SecretDecryptionError, type SecretBox } from "@/lib/crypto/secrets";

export type RotationReport = { total: number; reencrypted: number; unreadable: string[] };

/**
 * After a key rotation: re-encrypts every stored secret that is not under the current key yet, so
 * the previous key can then be dropped. Secrets that no configured key opens are reported by
 * connection id and left as they are.
 */
export async function reencryptSecrets(db: Db, box: SecretBox): Promise<RotationReport> {
  const rows = await listConnectionSecrets(db);
  const report: RotationReport = { total: rows.length, reencrypted: 0, unreadable: [] };
  for (const { id, secret } of rows) {
    if (secret === null || box.isCurrent(secret)) continue;
    try {
      await setConnectionSecret(db, id, box.encrypt(box.decrypt(secret)));
      report.reencrypted++;
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      report.unreadable.push(id);
    }
  }
  return report;
}
