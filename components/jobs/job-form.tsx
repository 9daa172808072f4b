"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormProvider, useForm, type Path } from "react-hook-form";
import { ApiError, errorMessage } from "@/components/api-client";
import { Field } from "@/components/forms/field";
import { jobCreateSchema } from "@/lib/schemas/jobs";
import type { Problem } from "@/lib/schemas/common";
import { DestinationFields } from "./destination-fields";
import { exportJobFile, ImportJobButton } from "./job-import-export";
import { useSaveJob } from "./job-queries";
import { toRequestBody, type JobFormInput, type JobFormOutput } from "./job-form-values";
import { PreviewProvider } from "./preview-context";
import { PreviewPanel } from "./preview-panel";
import { ScheduleFields } from "./schedule-fields";
import { SourceSection } from "./source-section";
import { TransformSteps } from "./transform-steps";

type Props = { jobId?: string; workspaceId: string; defaultValues: JobFormInput };

type FormProblem = { message: string; fields: NonNullable<Problem["errors"]> };

/**
 * The job builder, for new jobs and edits: source, steps, destination, schedule and retries,
 * validated by the API's own schema as the user types, with a live preview beside it. On save,
 * the server's 422 field errors are put back on their fields and anything else is shown on top.
 */
export function JobForm({ jobId, workspaceId, defaultValues }: Props) {
  const router = useRouter();
  const form = useForm<JobFormInput, unknown, JobFormOutput>({
    resolver: zodResolver(jobCreateSchema),
    defaultValues,
    mode: "onChange",
  });
  const save = useSaveJob(jobId);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  // Editors that keep text of their own (lists, key/value rows) start again from imported values.
  const [generation, setGeneration] = useState(0);
  const { register, handleSubmit, setError, formState, reset, getValues } = form;

  const onSubmit = handleSubmit(async (values) => {
    setProblem(null);
    try {
      const job = await save.mutateAsync(toRequestBody({ ...values, workspaceId: jobId ? undefined : workspaceId }, jobId ? "update" : "create"));
      router.push(`/jobs/${job.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        // The name field says it, and takes the focus: the same sentence above the form would only repeat it.
        setError("name", { type: "server", message: "A job with this name already exists in the workspace." }, { shouldFocus: true });
      } else {
        setProblem(toFormProblem(error));
      }
      if (error instanceof ApiError && error.status === 422) {
        for (const [i, field] of (error.problem.errors ?? []).entries()) {
          setError(field.path as Path<JobFormInput>, { type: "server", message: field.message }, { shouldFocus: i === 0 });
        }
      }
    }
  });

  const onImport = (values: JobFormInput) => {
    reset(values, { keepDefaultValues: true });
    setGeneration((n) => n + 1);
    void form.trigger();
  };

  const hasClientErrors = formState.submitCount > 0 && !formState.isValid && !problem;

  return (
    <FormProvider {...form}>
      <PreviewProvider control={form.control} workspaceId={workspaceId}>
        <div className="builder">
          <form className="form job-form" onSubmit={onSubmit} noValidate aria-describedby={problem ? "job-form-problem" : undefined}>
            <div role="alert" id="job-form-problem">
              {problem ? (
                <div className="alert alert-error">
                  <p>{problem.message}</p>
                  {problem.fields.length > 0 ? (
                    <ul>
                      {problem.fields.map((field) => (
                        <li key={`${field.path}:${field.message}`}>
                          <code>{field.path || "(job)"}</code>: {field.message}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ) : hasClientErrors ? (
                <p className="alert alert-error">Some fields need attention; each one says what is wrong.</p>
              ) : null}
            </div>

            <div className="builder-tools" role="group" aria-label="Job as JSON">
              <ImportJobButton onImport={onImport} />
              <button type="button" className="button" onClick={() => exportJobFile(getValues())}>
                Export JSON
              </button>
            </div>

            <section className="form-section" aria-labelledby="section-job">
              <h2 id="section-job">Job</h2>
              <Field name="name" label="Name">
                {(control) => <input {...control} autoComplete="off" {...register("name")} />}
              </Field>
              <Field name="description" label="Description" hint="Optional">
                {(control) => <textarea {...control} rows={2} {...register("description")} />}
              </Field>
            </section>

            <div key={generation} className="form">
              <section className="form-section" aria-labelledby="section-source">
                <h2 id="section-source">1. Source</h2>
                <SourceSection workspaceId={workspaceId} />
              </section>

              <section className="form-section" aria-labelledby="section-transform">
                <h2 id="section-transform">2. Transform steps</h2>
                <TransformSteps />
              </section>

              <section className="form-section" aria-labelledby="section-destination">
                <h2 id="section-destination">3. Destination</h2>
                <DestinationFields workspaceId={workspaceId} />
              </section>

              <section className="form-section" aria-labelledby="section-schedule">
                <h2 id="section-schedule">4. Schedule and retries</h2>
                <ScheduleFields />
              </section>
            </div>

            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={formState.isSubmitting}>
                {formState.isSubmitting ? "Saving…" : jobId ? "Save changes" : "Create job"}
              </button>
              <Link href={jobId ? `/jobs/${jobId}` : "/jobs"} className="button button-quiet">
                Cancel
              </Link>
            </div>
          </form>
          <PreviewPanel />
        </div>
      </PreviewProvider>
    </FormProvider>
  );
}

function toFormProblem(error: unknown): FormProblem {
  if (!(error instanceof ApiError)) return { message: errorMessage(error), fields: [] };
  if (error.status === 422) {
    return { message: "The server did not accept the job. Fix these fields:", fields: error.problem.errors ?? [] };
  }
  return { message: `Could not save the job: ${errorMessage(error)}`, fields: [] };
}
