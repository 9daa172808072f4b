import "server-only";
import { addAbortSignal } from "node:stream";
import { db, sql } from "@/lib/db/client";
import { getFile } from "@/lib/db/queries/files";
import { EtlError } from "@/lib/etl/errors";
import { pgFileStorage } from "@/lib/files/storage";
import type { FileSource } from "@/lib/schemas/file-source";
import { extractCsv } from "./file-csv";
import type { SourcePage } from "./page";
import { extractJson, extractNdjson } from "./file-json";
import type { SourceContext } from "./types";

/** Reads an uploaded file of the job's workspace as a stream, in batches, in the format the job names. */
export async function* extractFile(source: FileSource, ctx: SourceContext): AsyncGenerator<SourcePage> {
  const file = await getFile(db, source.fileId);
  // A file of another workspace is reported exactly like a missing one.
  if (!file || file.workspaceId !== ctx.workspaceId) {
    throw new EtlError(`The uploaded file ${source.fileId} does not exist (it may have been deleted).`, true);
  }
  if (file.format !== source.format) {
    await ctx.log("warn", `"${file.name}" was detected as ${file.format} at upload; reading it as ${source.format} as the job says.`);
  }
  await ctx.log("info", `Reading "${file.name}" (${file.size} bytes) as ${source.format}.`);
  const storage = pgFileStorage(sql);
  const open = async () => addAbortSignal(ctx.signal, storage.get(file.id));
  switch (source.format) {
    case "csv":
      yield* extractCsv(source, await open(), ctx.sampleOnly);
      return;
    case "xlsx": {
      // exceljs takes a fifth of a run thread's start to load: only runs that read workbooks load it.
      const { extractXlsx } = await import("./file-xlsx");
      yield* extractXlsx(source, await open(), ctx.sampleOnly);
      return;
    }
    case "json":
      yield* extractJson(source, open, ctx.sampleOnly);
      return;
    case "ndjson":
      yield* extractNdjson(await open(), ctx.sampleOnly);
      return;
  }
}
