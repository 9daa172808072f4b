import "server-only";
import type { Source } from "@/lib/schemas/jobs";
import { extractFile } from "./file";
import { extractHttp } from "./http";
import { extractMysql } from "./mysql";
import { extractPostgres } from "./postgres";
import type { SourcePage } from "./page";
import type { SourceContext } from "./types";

/** Every source yields pages of rows (records or columns), one per page or chunk, so memory stays bounded by a batch. */
export function extract(source: Source, ctx: SourceContext): AsyncGenerator<SourcePage> {
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
