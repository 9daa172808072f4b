"use client";

import { useId, useRef, useState } from "react";
import { downloadText } from "@/components/ui/download-text";
import { safeFileName } from "@/components/ui/format";
import { exportJob, importJob, type ImportResult } from "./job-json";
import type { JobFormInput } from "./job-form-values";

/** Downloads a job definition as a .job.json file. */
export function exportJobFile(values: Partial<JobFormInput> & { name?: string }) {
  downloadText(`${safeFileName(values.name || "job")}.job.json`, exportJob(values), "application/json");
}

/**
 * "Import JSON": a dialog that takes a job file or pasted JSON, checks it with the API's schema
 * and, when it validates, replaces the builder's values; otherwise lists each problem by path.
 */
export function ImportJobButton({ onImport }: { onImport: (values: JobFormInput) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();
  const fileId = useId();
  const [text, setText] = useState("");
  const [result, setResult] = useState<ImportResult | null>(null);

  const apply = () => {
    const parsed = importJob(text);
    setResult(parsed);
    if (parsed.ok) {
      dialog.current?.close();
      onImport(parsed.values);
    }
  };

  return (
    <>
      <button
        type="button"
        className="button"
        onClick={() => {
          setResult(null);
          dialog.current?.showModal();
        }}
      >
        Import JSON
      </button>
      <dialog ref={dialog} className="dialog dialog-wide" aria-labelledby={titleId}>
        <h2 id={titleId}>Import a job definition</h2>
        <p className="hint">A file exported from a job, or the JSON that POST /api/v1/jobs takes. It replaces what the builder holds now.</p>
        <div className="field">
          <label htmlFor={fileId}>Job file</label>
          <input id={fileId} type="file" accept=".json,application/json" onChange={async (e) => setText((await e.target.files?.[0]?.text()) ?? text)} />
        </div>
        <div className="field">
          <label htmlFor={textId}>Or paste JSON</label>
          <textarea id={textId} className="expression" rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div role="alert">
          {result && !result.ok ? (
            <div className="alert alert-error">
              <p>The definition does not validate:</p>
              <ul>
                {result.problems.map((problem) => (
                  <li key={`${problem.path}:${problem.message}`}>
                    <code>{problem.path || "(job)"}</code>: {problem.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" className="button button-primary" onClick={apply} disabled={text.trim() === ""}>
            Import
          </button>
        </div>
      </dialog>
    </>
  );
}
