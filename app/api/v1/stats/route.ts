import { readQuery } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { statsQuerySchema } from "@/lib/schemas/stats";
import { readStats } from "@/lib/services/stats";

export const GET = apiRoute({ permission: "runs:read" }, async ({ url, principal }) =>
  Response.json(await readStats(principal, readQuery(url, statsQuerySchema))),
);
