import "server-only";
import { HttpError } from "@/lib/api/errors";
import type { ConnectionConfig } from "@/lib/schemas/connections";
import type { Source } from "@/lib/schemas/jobs";
import { savedHostProblem, savedUrlProblem } from "@/lib/security/outbound";

/**
 * The outbound rules applied when something is saved (422 with the field's path): a URL or host
 * that can never be reached — another scheme, a literal private address in any of its encodings,
 * a name like localhost — is refused at once. DNS names are judged when connecting, since what
 * they resolve to can change; runs check everything again.
 */

function refuse(path: string, message: string): never {
  throw new HttpError(422, "The request did not validate.", [{ path, message }]);
}

export function assertReachableSource(source: Source | undefined, path = "source"): void {
  if (source?.type !== "http") return;
  const problem = savedUrlProblem(source.url);
  if (problem) refuse(`${path}.url`, problem);
}

/** `fieldPath`: where the host came from in the request ("host", or "url" when a URL gave it). */
export function assertReachableConnection(config: ConnectionConfig, fieldPath: string): void {
  if (config.type === "http") return;
  const problem = savedHostProblem(config.host);
  if (problem) refuse(fieldPath, problem);
}

export function assertReachableUrl(url: string | undefined, path: string): void {
  const problem = url === undefined ? null : savedUrlProblem(url);
  if (problem) refuse(path, problem);
}
