import type { FileFormat } from "@/lib/schemas/files";
import { withoutUtf8Bom } from "@/lib/utf8-bom";

const BY_EXTENSION: Record<string, FileFormat> = {
  csv: "csv",
  tsv: "csv",
  txt: "csv",
  xlsx: "xlsx",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
};

/** Formats we recognise but cannot read, with what to do instead. */
const REFUSED: Record<string, string> = {
  xls: "Legacy .xls workbooks are not supported; save the file as .xlsx.",
  xlsm: "Macro-enabled workbooks are not accepted; save the file as .xlsx.",
  ods: "OpenDocument spreadsheets are not supported; save the file as .xlsx or .csv.",
};

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export type Detection = { format: FileFormat } | { refused: string };

/**
 * Decides a file's format from its name and its first bytes. The content wins where the two
 * disagree in a way that would make parsing fail (a "report.xlsx" that is not a zip archive),
 * since a misdetected format only surfaces later as a confusing run failure.
 */
export function detectFormat(name: string, head: Buffer): Detection {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  if (REFUSED[extension]) return { refused: REFUSED[extension] };
  const isZip = head.subarray(0, 4).equals(ZIP_MAGIC);
  const byName = BY_EXTENSION[extension];
  if (byName === "xlsx" || (!byName && isZip)) {
    return isZip ? { format: "xlsx" } : { refused: `"${name}" is named like an Excel workbook but is not one (.xlsx files are zip archives).` };
  }
  if (isZip) return { refused: `"${name}" is a zip archive; upload .xlsx workbooks with their .xlsx extension.` };
  if (byName) return { format: byName };
  return sniffText(name, head);
}

function sniffText(name: string, head: Buffer): Detection {
  if (head.length === 0) return { refused: `"${name}" is empty.` };
  const body = withoutUtf8Bom(head);
  if (body.includes(0)) return { refused: `"${name}" looks binary; upload CSV, .xlsx, JSON or NDJSON.` };
  const text = body.toString("utf8").trimStart();
  if (text.startsWith("[")) return { format: "json" };
  if (text.startsWith("{")) {
    // NDJSON: the first line alone is a complete JSON value and another line follows it.
    const newline = text.indexOf("\n");
    if (newline > 0 && text.slice(newline + 1).trim() !== "" && isJson(text.slice(0, newline))) return { format: "ndjson" };
    return { format: "json" };
  }
  return { format: "csv" };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
