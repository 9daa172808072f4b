import "server-only";
import { pipeline, Transform, type Readable } from "node:stream";
import parser from "stream-json/parser.js";
import pick from "stream-json/filters/pick.js";
import streamArray from "stream-json/streamers/stream-array.js";
import verifier from "stream-json/utils/verifier.js";
import { EtlError } from "@/lib/etl/errors";
import type { JsonFileSource } from "@/lib/schemas/file-source";
import { jsonValueDepth, MAX_JSON_DEPTH, tooDeepMessage } from "@/lib/security/json-depth";
import { Batcher, decodeText } from "./file-records";

/** An NDJSON line this long is not a record but a broken file: fail instead of buffering it. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * Streams the records of a JSON file: the top-level array, or the array at `recordsPath`, one
 * element at a time through stream-json, so a file far larger than memory is never held whole.
 * stream-json's parser does not say where an error is; on failure the file is read again through
 * its verifier, which does, so the run's error names the line and column.
 */
export async function* extractJson(
  source: JsonFileSource,
  open: () => Promise<Readable>,
  sampleOnly: boolean,
): AsyncGenerator<unknown[]> {
  const input = await open();
  let matched = 0;
  let depth = 0;
  const countTokens = new Transform({
    objectMode: true,
    transform(token: { name: string }, _encoding, callback) {
      matched++;
      if (token.name === "startObject" || token.name === "startArray") depth++;
      else if (token.name === "endObject" || token.name === "endArray") depth--;
      // Counted here, before a record is assembled: everything that handles it later recurses.
      if (depth > MAX_JSON_DEPTH) callback(new EtlError(tooDeepMessage("A record in the JSON file"), true));
      else callback(null, token);
    },
  });
  const stages = [
    input,
    decodeText("utf-8"),
    parser.asStream(),
    ...(source.recordsPath ? [pick.asStream({ filter: source.recordsPath, once: true })] : []),
    countTokens,
    streamArray.asStream(),
  ];
  const items = (pipeline as (...streams: unknown[]) => NodeJS.ReadableStream)(...stages, () => undefined) as AsyncIterable<{ value: unknown }>;
  const batch = new Batcher<unknown>();
  try {
    for await (const { value } of items) {
      if (batch.add(value, 0)) {
        yield batch.take();
        if (sampleOnly) return;
      }
    }
  } catch (error) {
    if (error instanceof EtlError) throw error;
    if (error instanceof Error && /should be an array/i.test(error.message)) {
      throw new EtlError(
        source.recordsPath
          ? `recordsPath "${source.recordsPath}" leads to a value that is not an array of records.`
          : "The file's top level is not an array; set recordsPath to the array of records (e.g. data.items).",
        true,
      );
    }
    if (error instanceof Error && /^Parser/.test(error.message)) throw await locateJsonError(await open());
    throw error;
  } finally {
    input.destroy();
  }
  if (source.recordsPath && matched === 0) {
    throw new EtlError(`recordsPath "${source.recordsPath}" does not exist in the file.`, true);
  }
  if (batch.size > 0) yield batch.take();
}

/** Reads the file through stream-json's verifier to name the line and column of the first error. */
async function locateJsonError(input: Readable): Promise<EtlError> {
  try {
    await new Promise<void>((resolve, reject) => {
      pipeline(input, decodeText("utf-8"), verifier.asStream(), (error) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    const position = error as { line?: number; pos?: number; message?: string };
    if (typeof position.line === "number") {
      const reason = (position.message ?? "").replace(/^ERROR at \d+ \(\d+, \d+\): /, "");
      return new EtlError(`The JSON file is malformed at line ${position.line}, column ${position.pos}: ${reason}.`, true);
    }
    if (error instanceof EtlError) return error;
  } finally {
    input.destroy();
  }
  return new EtlError("The JSON file is malformed.", true);
}

/** Streams an NDJSON file line by line; blank lines are skipped, a bad line fails the run naming its number. */
export async function* extractNdjson(input: Readable, sampleOnly: boolean): AsyncGenerator<unknown[]> {
  const text = pipeline(input, decodeText("utf-8"), () => undefined) as AsyncIterable<string>;
  const batch = new Batcher<unknown>();
  let rest = "";
  let lineNumber = 0;
  const parseLine = (line: string) => {
    lineNumber++;
    const trimmed = line.trim();
    if (trimmed === "") return false;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new EtlError(`The NDJSON file is malformed at line ${lineNumber}: ${(error as Error).message}.`, true);
    }
    if (jsonValueDepth(value) > MAX_JSON_DEPTH) throw new EtlError(tooDeepMessage(`Line ${lineNumber} of the NDJSON file`), true);
    return batch.add(value, trimmed.length);
  };
  try {
    for await (const chunk of text) {
      // Only the new piece is split: splitting rest + chunk would read a long line once per piece.
      const lines = chunk.split("\n");
      lines[0] = rest + lines[0];
      rest = lines.pop()!;
      if (rest.length > MAX_RECORD_CHARS) {
        throw new EtlError(`Line ${lineNumber + 1} of the NDJSON file is longer than ${MAX_RECORD_CHARS} characters.`, true);
      }
      for (const line of lines) {
        if (parseLine(line)) {
          yield batch.take();
          if (sampleOnly) return;
        }
      }
    }
    if (parseLine(rest)) yield batch.take();
  } finally {
    input.destroy();
  }
  if (batch.size > 0) yield batch.take();
}
