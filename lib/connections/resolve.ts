import "server-only";
import { db } from "@/lib/db/client";
import { getConnection, type ConnectionRow } from "@/lib/db/queries/connections";
import { secrets, SecretDecryptionError } from "@/lib/crypto/secrets";
import { EtlError } from "@/lib/etl/errors";
import type { ConnectionType, DatabaseConnectionConfig, HttpConnectionConfig } from "@/lib/schemas/connections";

/** A saved connection with its secret decrypted: only ever held in memory, never logged or returned. */
export type Resolved<C> = C & { id: string; name: string; secret: string | null };
export type ResolvedDatabaseConnection = Resolved<DatabaseConnectionConfig>;
export type ResolvedHttpConnection = Resolved<HttpConnectionConfig>;
type ResolvedOf<T extends ConnectionType> = T extends "http" ? ResolvedHttpConnection : ResolvedDatabaseConnection;

export function resolveConnection(row: ConnectionRow): Resolved<ConnectionRow["config"]> {
  let secret: string | null = null;
  if (row.secret !== null) {
    try {
      secret = secrets().decrypt(row.secret);
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      throw new EtlError(
        `The secret of connection "${row.name}" cannot be decrypted with the configured keys (ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS).`,
        true,
      );
    }
  }
  return { ...row.config, id: row.id, name: row.name, secret };
}

/**
 * The connection a run uses, decrypted at run time. It must still exist, belong to the run's
 * workspace (a job can never borrow another workspace's credentials) and be of the expected type.
 */
export async function connectionForRun<T extends ConnectionType>(workspaceId: string, id: string, type: T): Promise<ResolvedOf<T>> {
  const row = await getConnection(db, id);
  if (!row || row.workspaceId !== workspaceId) {
    throw new EtlError(`The connection ${id} no longer exists; choose another one in the job.`, true);
  }
  if (row.type !== type) {
    throw new EtlError(`The connection "${row.name}" is a ${row.type} connection, not ${type}.`, true);
  }
  return resolveConnection(row) as ResolvedOf<T>;
}
