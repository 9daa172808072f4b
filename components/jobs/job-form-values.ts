import type { z } from "zod";
import type { Job, jobCreateSchema, Pagination } from "@/lib/schemas/jobs";

/** What the builder form holds (the schema's input) and what it submits (the schema's output). */
export type JobFormInput = z.input<typeof jobCreateSchema>;
export type JobFormOutput = z.output<typeof jobCreateSchema>;

export type PaginationType = Pagination["type"];
export type StepInput = NonNullable<JobFormInput["transform"]>[number];

export const paginationTypes: { value: PaginationType; label: string }[] = [
  { value: "none", label: "None: one request" },
  { value: "page", label: "Page number and size" },
  { value: "offset", label: "Offset and limit" },
  { value: "cursor", label: "Cursor from the body" },
  { value: "next_url", label: "Next URL from the body" },
  { value: "link_header", label: "Link header (rel=\"next\")" },
];

/** A fresh pagination of a type, with the schema's defaults filled in so the user sees them. */
export function paginationDefaults(type: PaginationType): Pagination {
  switch (type) {
    case "none":
      return { type };
    case "page":
      return { type, pageParam: "page", sizeParam: "page_size", pageSize: 100, startPage: 1 };
    case "offset":
      return { type, offsetParam: "offset", limitParam: "limit", limit: 100 };
    case "cursor":
      return { type, cursorParam: "cursor", cursorPath: "" };
    case "next_url":
      return { type, nextUrlPath: "" };
    case "link_header":
      return { type };
  }
}

export type SourceType = JobFormInput["source"]["type"];
export type SourceInput = JobFormInput["source"];
export type DestinationInput = NonNullable<JobFormInput["destination"]>;
export type DestinationType = DestinationInput["type"];

export const sourceTypes: { value: SourceType; label: string; hint: string }[] = [
  { value: "http", label: "HTTP API", hint: "JSON records from a REST endpoint, page after page" },
  { value: "file", label: "Uploaded file", hint: "CSV, Excel, JSON or NDJSON" },
  { value: "postgres", label: "PostgreSQL query", hint: "Rows of a SELECT through a saved connection" },
  { value: "mysql", label: "MySQL query", hint: "Rows of a SELECT on MySQL or MariaDB" },
];

/** A fresh source of a type, with the schema's defaults filled in so the user sees them. */
export function sourceDefaults(type: SourceType): SourceInput {
  switch (type) {
    case "http":
      return { type, url: "", method: "GET", headers: {}, query: {}, recordsPath: "", pagination: { type: "none" }, maxPages: 1000, timeoutMs: 30_000 };
    case "file":
      return { type, fileId: "", format: "csv", delimiter: ",", quote: '"', header: true, skipRows: 0, encoding: "utf-8" };
    case "postgres":
    case "mysql":
      return { type, connectionId: "", query: "", timeoutMs: 3_600_000 };
  }
}

export const destinationTypes: { value: DestinationType; label: string }[] = [
  { value: "dataset", label: "Dataset (managed by DataFlowHub)" },
  { value: "postgres", label: "PostgreSQL table" },
  { value: "mysql", label: "MySQL table" },
];

export function destinationDefaults(type: DestinationType): DestinationInput {
  return type === "dataset" ? { type, mode: "replace" } : { type, connectionId: "", table: "", mode: "replace" };
}

export const newJobValues: JobFormInput = {
  name: "",
  description: "",
  source: sourceDefaults("http"),
  transform: [],
  destination: { type: "dataset", mode: "replace" },
  retry: { attempts: 3, backoffSeconds: 30 },
  schedule: null,
  overlap: "queue",
  notify: null,
};

/** A saved job as form values: only the fields the create schema knows (it is strict). */
export function jobToFormValues(job: Job): JobFormInput {
  return {
    name: job.name,
    description: job.description ?? "",
    source: job.source,
    transform: job.transform,
    destination: job.destination,
    retry: job.retry,
    schedule: job.schedule,
    overlap: job.overlap,
    notify: job.notify,
  };
}

/** The request body for saving: create takes the whole definition, update the fields it may change. */
export function toRequestBody(values: JobFormOutput, mode: "create" | "update") {
  const description = values.description?.trim() ? values.description.trim() : null;
  const { workspaceId, ...definition } = values;
  if (mode === "update") return { ...definition, description };
  return { ...definition, ...(workspaceId ? { workspaceId } : {}), description };
}
