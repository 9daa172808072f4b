import "server-only";
import { HttpError } from "@/lib/api/errors";
import { defaultWorkspace, type Principal } from "@/lib/auth/principal";
import { env } from "@/lib/env";
import { previewDefinition } from "@/lib/etl/preview";
import type { Preview, PreviewRequest } from "@/lib/schemas/preview";
import { assertAccess } from "./access";
import { loadJob } from "./jobs";
import { assertReachableSource } from "./outbound-rules";

/** Time left for the answer itself before the API's request deadline (API_REQUEST_TIMEOUT_MS) would cut it. */
const ANSWER_MARGIN_MS = 3000;

/**
 * Previews a saved job (its definition, with the source or steps given in the request instead
 * of its own) or an unsaved one in a workspace. Previewing needs the right to edit jobs there,
 * since it reaches out to the same sources a run would.
 */
export async function previewJob(principal: Principal, request: PreviewRequest, aborted: AbortSignal): Promise<Preview> {
  let workspaceId: string;
  let definition: Pick<Required<PreviewRequest>, "source" | "transform">;
  if (request.jobId) {
    const job = await loadJob(principal, request.jobId, "jobs:write");
    workspaceId = job.workspaceId;
    definition = { source: request.source ?? job.definition.source, transform: request.transform ?? job.definition.transform };
  } else {
    const chosen = request.workspaceId ?? defaultWorkspace(principal);
    if (!chosen) throw new HttpError(403, "You are not a member of any workspace.");
    assertAccess(principal, chosen, "jobs:write", "workspace");
    workspaceId = chosen;
    definition = { source: request.source!, transform: request.transform ?? [] };
  }
  assertReachableSource(request.source);
  const timeLimit = AbortSignal.timeout(Math.max(1000, env.API_REQUEST_TIMEOUT_MS - ANSWER_MARGIN_MS));
  return previewDefinition({
    ...definition,
    sampleSize: request.sampleSize,
    rows: request.rows,
    workspaceId,
    signal: AbortSignal.any([aborted, timeLimit]),
  });
}
