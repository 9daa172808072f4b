import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { runResults, runResultsDownload, wantsDownload } from "@/lib/services/results";

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ url, principal, params }) => {
  const id = pathId(params, "run");
  if (wantsDownload(url)) return runResultsDownload(principal, id, url);
  const data = await runResults(principal, id, url);
  return Response.json(data);
});
