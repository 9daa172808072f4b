import type { z } from "zod";
import type { Job, jobCreateSchema, Pagination, TransformStep } from "@/lib/schemas/jobs";

/** What the builder form holds (the schema's input) and what it submits (the schema's output). */
export type JobFormInput = z.input<typeof jobCreateSchema>;
export type JobFormOutput = z.output<typeof jobCreateSchema>;

export type PaginationType = Pagination["type"];
export type StepOp = TransformStep["op"];
/** The steps the builder edits so far; jobs with other steps keep them untouched. */
export type BuilderOp = Extract<StepOp, "normalize" | "select" | "drop" | "rename">;
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

export const stepOps: { value: BuilderOp; label: string; hint: string }[] = [
  { value: "normalize", label: "Normalize", hint: "Flatten nested objects into columns" },
  { value: "select", label: "Select", hint: "Keep only these columns, in this order" },
  { value: "drop", label: "Drop", hint: "Remove these columns" },
  { value: "rename", label: "Rename", hint: "Rename columns" },
];

export const isBuilderOp = (op: string): op is BuilderOp => stepOps.some((o) => o.value === op);

export function stepDefaults(op: BuilderOp): StepInput {
  switch (op) {
    case "normalize":
      return { op, sep: "." };
    case "select":
    case "drop":
      return { op, columns: [] };
    case "rename":
      return { op, columns: {} };
  }
}

export const newJobValues: JobFormInput = {
  name: "",
  description: "",
  source: {
    type: "http",
    url: "",
    method: "GET",
    headers: {},
    query: {},
    recordsPath: "",
    pagination: { type: "none" },
    maxPages: 1000,
    timeoutMs: 30_000,
  },
  transform: [],
  destination: { type: "dataset", mode: "replace" },
  retry: { attempts: 3, backoffSeconds: 30 },
  schedule: null,
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
    schedule: null,
  };
}

/** The request body for saving: create takes the whole definition, update the fields it may change. */
export function toRequestBody(values: JobFormOutput, mode: "create" | "update") {
  const description = values.description?.trim() ? values.description.trim() : null;
  const { source, transform, destination, retry } = values;
  if (mode === "update") return { name: values.name, description, source, transform, destination, retry };
  return { ...values, description };
}
