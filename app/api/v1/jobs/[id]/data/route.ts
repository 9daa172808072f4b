import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { jobData, jobDataDownload, wantsDownload } from "@/lib/services/results";

export const GET = apiRoute({ objectPermission: "jobs:read" }, async ({ url, principal, params }) => {
  const id = pathId(params, "job");
  if (wantsDownload(url)) return jobDataDownload(principal, id, url);
  const data = await jobData(principal, id, url);
  return Response.json(data);
});
