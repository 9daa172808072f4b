"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { DatabaseSourceFields } from "./database-source-fields";
import { FileSourceFields } from "./file-source-fields";
import { HttpSourceFields } from "./http-source-fields";
import { sourceDefaults, sourceTypes, type JobFormInput, type SourceType } from "./job-form-values";

/** The source: its type as a radio group (switching starts that type from its defaults), then its fields. */
export function SourceSection({ workspaceId }: { workspaceId: string }) {
  const { setValue } = useFormContext<JobFormInput>();
  const type = useWatch<JobFormInput>({ name: "source.type" }) as SourceType;
  return (
    <>
      <fieldset className="choice-group">
        <legend>Source type</legend>
        {sourceTypes.map((option) => (
          <label key={option.value} className="choice">
            <input
              type="radio"
              name="source-type"
              value={option.value}
              checked={type === option.value}
              onChange={() => setValue("source", sourceDefaults(option.value), { shouldDirty: true, shouldValidate: false })}
            />
            <span>
              <strong>{option.label}</strong>
              <span className="hint">{option.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {type === "http" ? <HttpSourceFields key="http" workspaceId={workspaceId} /> : null}
      {type === "file" ? <FileSourceFields key="file" workspaceId={workspaceId} /> : null}
      {type === "postgres" || type === "mysql" ? <DatabaseSourceFields key={type} type={type} workspaceId={workspaceId} /> : null}
    </>
  );
}
