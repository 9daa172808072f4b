import "server-only";
import { db } from "@/lib/db/client";
import { connectionsIn } from "@/lib/db/queries/connections";
import { HttpError } from "@/lib/api/errors";
import type { ConnectionType } from "@/lib/schemas/connections";
import type { JobDefinition } from "@/lib/schemas/jobs";

type Reference = { path: string; id: string; type: ConnectionType };

function referencesOf(definition: Pick<JobDefinition, "source" | "destination">): Reference[] {
  const found: Reference[] = [];
  const { source, destination } = definition;
  if (source.type === "http" && source.connectionId) found.push({ path: "source.connectionId", id: source.connectionId, type: "http" });
  if (source.type === "postgres" || source.type === "mysql") {
    found.push({ path: "source.connectionId", id: source.connectionId, type: source.type });
  }
  if (destination.type === "postgres" || destination.type === "mysql") {
    found.push({ path: "destination.connectionId", id: destination.connectionId, type: destination.type });
  }
  return found;
}

/**
 * A job may only name connections of its own workspace, of the type its source or destination
 * needs: checked when it is saved (422 with the field's path) so a run never starts with a
 * dangling or foreign reference. Runs check again, since a connection can change after saving.
 */
export async function assertConnectionReferences(
  workspaceId: string,
  definition: Pick<JobDefinition, "source" | "destination">,
): Promise<void> {
  const references = referencesOf(definition);
  if (references.length === 0) return;
  const rows = await connectionsIn(db, workspaceId, [...new Set(references.map((r) => r.id))]);
  const problems = references.flatMap(({ path, id, type }) => {
    const row = rows.find((r) => r.id === id);
    if (!row) return [{ path, message: "no connection with this id in the job's workspace" }];
    if (row.type !== type) return [{ path, message: `connection "${row.name}" is a ${row.type} connection, not ${type}` }];
    return [];
  });
  if (problems.length > 0) throw new HttpError(422, "The request did not validate.", problems);
}
