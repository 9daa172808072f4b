"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useFormContext, useWatch } from "react-hook-form";
import { errorMessage } from "@/components/api-client";
import { asOptionalNumber, Field } from "@/components/forms/field";
import type { FileDto, FileFormat } from "@/lib/schemas/files";
import { builderKeys, useFiles } from "./builder-queries";
import type { JobFormInput, SourceInput } from "./job-form-values";
import { uploadFile } from "./upload-file";

const FORMAT_LABELS: Record<FileFormat, string> = { csv: "CSV", xlsx: "Excel workbook (.xlsx)", json: "JSON", ndjson: "NDJSON (one JSON record per line)" };

/** A file source of a format, keeping the file; the format's options start from their defaults. */
function fileSource(fileId: string, format: FileFormat): SourceInput {
  switch (format) {
    case "csv":
      return { type: "file", fileId, format, delimiter: ",", quote: '"', header: true, skipRows: 0, encoding: "utf-8" };
    case "xlsx":
      return { type: "file", fileId, format, sheet: 0, headerRow: 1 };
    case "json":
      return { type: "file", fileId, format, recordsPath: "" };
    case "ndjson":
      return { type: "file", fileId, format };
  }
}

const formatBytes = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

type Upload = { name: string; fraction: number } | null;

/** An uploaded file as the source: upload one (with progress) or pick an earlier upload, then its format's options. */
export function FileSourceFields({ workspaceId }: { workspaceId: string }) {
  const { register, setValue } = useFormContext<JobFormInput>();
  const fileId = useWatch<JobFormInput>({ name: "source.fileId" }) as string;
  const format = useWatch<JobFormInput>({ name: "source.format" }) as FileFormat;
  const files = useFiles(workspaceId);
  const queryClient = useQueryClient();
  const [upload, setUpload] = useState<Upload>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const inputId = useId();

  const chooseFile = (file: Pick<FileDto, "id" | "format">) =>
    setValue("source", fileSource(file.id, file.format), { shouldDirty: true, shouldValidate: true });

  const onPick = async (file: File | undefined) => {
    if (!file) return;
    setUploadError(null);
    abort.current = new AbortController();
    setUpload({ name: file.name, fraction: 0 });
    try {
      const stored = await uploadFile(file, workspaceId, (fraction) => setUpload({ name: file.name, fraction }), abort.current.signal);
      queryClient.setQueryData(builderKeys.files(workspaceId), (page: { results: FileDto[] } | undefined) =>
        page ? { ...page, results: [stored, ...page.results.filter((f) => f.id !== stored.id)] } : page,
      );
      chooseFile(stored);
    } catch (error) {
      setUploadError(error instanceof DOMException && error.name === "AbortError" ? "Upload cancelled." : `Upload failed: ${errorMessage(error)}`);
    } finally {
      setUpload(null);
      abort.current = null;
    }
  };

  const current = files.data?.results.find((f) => f.id === fileId);

  return (
    <>
      <div className="field">
        <label htmlFor={inputId}>Upload a file</label>
        <input
          id={inputId}
          type="file"
          accept=".csv,.tsv,.txt,.xlsx,.json,.ndjson,.jsonl"
          disabled={upload !== null}
          aria-describedby={`${inputId}-hint`}
          onChange={(e) => {
            void onPick(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
        <p id={`${inputId}-hint`} className="hint">
          CSV, Excel (.xlsx), JSON or NDJSON; the format is detected from the name and the content.
        </p>
      </div>
      {upload ? (
        <div className="upload-progress">
          <label htmlFor={`${inputId}-progress`}>Uploading {upload.name}</label>
          <progress id={`${inputId}-progress`} max={1} value={upload.fraction} />
          <span aria-live="polite">{Math.round(upload.fraction * 100)}%</span>
          <button type="button" className="button button-quiet" onClick={() => abort.current?.abort()}>
            Cancel upload
          </button>
        </div>
      ) : null}
      <div role="alert">{uploadError ? <p className="alert alert-error">{uploadError}</p> : null}</div>

      <Field name="source.fileId" label="File" hint={files.isError ? `Could not list the files: ${errorMessage(files.error)}` : "Or choose an earlier upload of this workspace"}>
        {(control) => (
          <select
            {...control}
            value={fileId}
            onChange={(e) => {
              const file = files.data?.results.find((f) => f.id === e.target.value);
              if (file) chooseFile(file);
            }}
          >
            <option value="">{files.isPending ? "Loading…" : "No file chosen"}</option>
            {files.data?.results.map((file) => (
              <option key={file.id} value={file.id}>
                {file.name} ({file.format}, {formatBytes(file.size)})
              </option>
            ))}
          </select>
        )}
      </Field>
      {current ? (
        <p className="muted small" aria-live="polite">
          Using <strong>{current.name}</strong>: {formatBytes(current.size)}, uploaded {new Date(current.createdAt).toLocaleString()}.
        </p>
      ) : null}

      <Field name="source.format" label="Format">
        {(control) => (
          <select {...control} value={format} onChange={(e) => setValue("source", fileSource(fileId, e.target.value as FileFormat), { shouldDirty: true, shouldValidate: true })}>
            {(Object.keys(FORMAT_LABELS) as FileFormat[]).map((value) => (
              <option key={value} value={value}>
                {FORMAT_LABELS[value]}
              </option>
            ))}
          </select>
        )}
      </Field>

      {format === "csv" ? (
        <div className="grid">
          <Field name="source.delimiter" label="Delimiter" hint='e.g. "," ";" or a tab typed as \t'>
            {(control) => (
              <input
                {...control}
                autoComplete="off"
                {...register("source.delimiter", { setValueAs: (v: string) => (v === "\\t" ? "\t" : v) })}
              />
            )}
          </Field>
          <Field name="source.quote" label="Quote character">
            {(control) => <input {...control} maxLength={1} autoComplete="off" {...register("source.quote")} />}
          </Field>
          <Field name="source.skipRows" label="Lines to skip first">
            {(control) => <input {...control} type="number" min={0} {...register("source.skipRows", { setValueAs: asOptionalNumber })} />}
          </Field>
          <Field name="source.encoding" label="Encoding" hint="utf-8, latin1, windows-1252, utf-16le…">
            {(control) => <input {...control} autoComplete="off" {...register("source.encoding")} />}
          </Field>
          <div className="field checkbox-field">
            <label>
              <input type="checkbox" {...register("source.header")} /> The first row names the columns
            </label>
          </div>
        </div>
      ) : null}
      {format === "xlsx" ? (
        <div className="grid">
          <Field name="source.sheet" label="Worksheet" hint="Its name, or its position from 0">
            {(control) => (
              <input
                {...control}
                autoComplete="off"
                {...register("source.sheet", { setValueAs: (v: string) => (/^\d+$/.test(String(v).trim()) ? Number(v) : v) })}
              />
            )}
          </Field>
          <Field name="source.headerRow" label="Header row" hint="Row number from 1; 0: no header, columns are named A, B, …">
            {(control) => <input {...control} type="number" min={0} {...register("source.headerRow", { setValueAs: asOptionalNumber })} />}
          </Field>
        </div>
      ) : null}
      {format === "json" ? (
        <Field name="source.recordsPath" label="Records path" hint="Dot path to the array of records, e.g. data.items; empty when the file is the array">
          {(control) => <input {...control} autoComplete="off" {...register("source.recordsPath")} />}
        </Field>
      ) : null}
    </>
  );
}
