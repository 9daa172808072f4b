import type { NextRequest } from "next/server";
import { publicRoute } from "@/lib/api/route";
import { assertMetricsReader } from "@/lib/metrics/access";
import { createMetricsRegistry } from "@/lib/metrics/collect";

export const dynamic = "force-dynamic";

const globalCache = globalThis as unknown as { __dfhMetrics?: ReturnType<typeof createMetricsRegistry> };

/** Prometheus text format: runs by status, finished runs, durations, rows loaded, queue depth, workers. */
export const GET = publicRoute(async (req: NextRequest) => {
  await assertMetricsReader(req);
  // One registry per process: the default process metrics must be registered once.
  const registry = (globalCache.__dfhMetrics ??= createMetricsRegistry());
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
});
