import "server-only";
import type { Source } from "@/lib/schemas/jobs";
import { extractFile } from "./file";
import { extractHttp } from "./http";
import { extractMysql } from "./mysql";
import { extractPostgres } from "./postgres";
import type { SourceContext } from "./types";

/** Every source yields arrays of records, one per page or chunk, so memory stays bounded by a batch. */
export function extract(source: Source, ctx: SourceContext): AsyncGenerator<unknown[]> {
  switch (source.type) {
    case "http":
      return extractHttp(source, ctx);
    case "postgres":
      return extractPostgres(source, ctx);
    case "mysql":
      return extractMysql(source, ctx);
    case "file":
      return extractFile(source, ctx);
  }
}
