import "server-only";
import { sql } from "@/lib/db/client";
import type { Destination } from "@/lib/schemas/jobs";
import { DatasetLoad } from "./dataset";
import type { DestinationContext, DestinationLoad } from "./types";

export function openDestination(destination: Destination, ctx: DestinationContext): Promise<DestinationLoad> {
  switch (destination.type) {
    case "dataset":
      return DatasetLoad.open(sql, destination, ctx);
  }
}
