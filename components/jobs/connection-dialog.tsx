"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useId, useRef, useSyncExternalStore } from "react";
import { createPortal } from "react-dom";
import { FormProvider, useForm, useWatch, type Path } from "react-hook-form";
import type { z } from "zod";
import { ApiError, errorMessage } from "@/components/api-client";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { connectionCreateSchema, sslModes, type Connection, type ConnectionType } from "@/lib/schemas/connections";
import { useCreateConnection } from "./builder-queries";

type Input = z.input<typeof connectionCreateSchema>;
type Output = z.output<typeof connectionCreateSchema>;

const TITLES: Record<ConnectionType, string> = { postgres: "PostgreSQL", mysql: "MySQL", http: "HTTP credentials" };

function defaults(type: ConnectionType, workspaceId: string): Input {
  if (type === "http") return { type, name: "", workspaceId, auth: { type: "bearer", token: "" } };
  return { type, name: "", workspaceId, host: "", port: type === "postgres" ? 5432 : 3306, database: "", user: "", ssl: "disable" };
}

/**
 * "New connection" inside the builder: a modal form that saves a connection through the API
 * (validated by the API's own schema as the user types) and hands it back to be selected.
 */
type Props = { type: ConnectionType; workspaceId: string; onCreated: (connection: Connection) => void; label?: string };

export function NewConnectionButton({ type, workspaceId, onCreated, label = "New connection" }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const create = useCreateConnection();
  const form = useForm<Input, unknown, Output>({ resolver: zodResolver(connectionCreateSchema), defaultValues: defaults(type, workspaceId), mode: "onChange" });
  const { register, handleSubmit, setError, reset, formState } = form;
  const authType = useWatch({ control: form.control, name: "auth.type" as Path<Input> }) as string | undefined;
  // The dialog's form lives outside the job form in the DOM (forms must not nest); it is mounted
  // after hydration, since the server has no document.body to portal into.
  const mounted = useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );

  const open = () => {
    reset(defaults(type, workspaceId));
    create.reset();
    dialog.current?.showModal();
  };
  const save = async (values: Output) => {
    try {
      const connection = await create.mutateAsync(values);
      dialog.current?.close();
      onCreated(connection);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        for (const field of error.problem.errors ?? []) setError(field.path as Path<Input>, { type: "server", message: field.message });
      }
    }
  };

  return (
    <>
      <button type="button" className="button" onClick={open}>
        {label}
      </button>
      {mounted ? createPortal(
      <dialog ref={dialog} className="dialog dialog-wide" aria-labelledby={titleId}>
        <FormProvider {...form}>
          <form
            className="form"
            noValidate
            onSubmit={(e) => {
              // React bubbles events through portals: the job form around the button must not submit too.
              e.stopPropagation();
              void handleSubmit(save)(e);
            }}
          >
            <h2 id={titleId}>New {TITLES[type]} connection</h2>
            <p className="hint">Saved in this workspace for every job to use. Secrets are stored encrypted and never shown again.</p>
            <Field name="name" label="Connection name">
              {(control) => <input {...control} autoComplete="off" {...register("name")} />}
            </Field>
            {type === "http" ? (
              <>
                <Field name="auth.type" label="Authentication">
                  {(control) => (
                    <select
                      {...control}
                      value={authType}
                      onChange={(e) => {
                        const next = e.target.value;
                        const auth = next === "bearer" ? { type: "bearer", token: "" } : next === "basic" ? { type: "basic", username: "", password: "" } : { type: "api_key", header: "X-API-Key", value: "" };
                        form.setValue("auth" as Path<Input>, auth as never, { shouldValidate: true });
                      }}
                    >
                      <option value="bearer">Bearer token</option>
                      <option value="basic">Basic (user name and password)</option>
                      <option value="api_key">API key header</option>
                    </select>
                  )}
                </Field>
                {authType === "bearer" ? (
                  <Field name="auth.token" label="Token">
                    {(control) => <input {...control} type="password" autoComplete="off" {...register("auth.token" as Path<Input>)} />}
                  </Field>
                ) : null}
                {authType === "basic" ? (
                  <div className="grid">
                    <Field name="auth.username" label="User name">
                      {(control) => <input {...control} autoComplete="off" {...register("auth.username" as Path<Input>)} />}
                    </Field>
                    <Field name="auth.password" label="Password">
                      {(control) => <input {...control} type="password" autoComplete="off" {...register("auth.password" as Path<Input>)} />}
                    </Field>
                  </div>
                ) : null}
                {authType === "api_key" ? (
                  <div className="grid">
                    <Field name="auth.header" label="Header">
                      {(control) => <input {...control} autoComplete="off" {...register("auth.header" as Path<Input>)} />}
                    </Field>
                    <Field name="auth.value" label="API key">
                      {(control) => <input {...control} type="password" autoComplete="off" {...register("auth.value" as Path<Input>)} />}
                    </Field>
                  </div>
                ) : null}
              </>
            ) : (
              <>
                <div className="grid">
                  <Field name="host" label="Host">
                    {(control) => <input {...control} autoComplete="off" placeholder="db.internal.example.com" {...register("host" as Path<Input>)} />}
                  </Field>
                  <Field name="port" label="Port">
                    {(control) => <input {...control} type="number" min={1} max={65535} {...register("port" as Path<Input>, { setValueAs: asOptionalNumber })} />}
                  </Field>
                  <Field name="database" label="Database">
                    {(control) => <input {...control} autoComplete="off" {...register("database" as Path<Input>)} />}
                  </Field>
                  <Field name="user" label="User">
                    {(control) => <input {...control} autoComplete="off" {...register("user" as Path<Input>)} />}
                  </Field>
                  <Field name="password" label="Password" hint="Empty: none">
                    {(control) => <input {...control} type="password" autoComplete="new-password" {...register("password" as Path<Input>, { setValueAs: (v: string) => (v === "" ? undefined : v) })} />}
                  </Field>
                  <Field name="ssl" label="TLS">
                    {(control) => (
                      <select {...control} {...register("ssl" as Path<Input>)}>
                        {sslModes.map((mode) => (
                          <option key={mode} value={mode}>
                            {mode}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                </div>
              </>
            )}
            <div role="alert">{create.isError ? <p className="alert alert-error">Could not save the connection: {errorMessage(create.error)}</p> : null}</div>
            <div className="actions">
              <button type="button" className="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
              <button type="submit" className="button button-primary" disabled={formState.isSubmitting}>
                {formState.isSubmitting ? "Saving…" : "Save connection"}
              </button>
            </div>
          </form>
        </FormProvider>
      </dialog>,
      document.body,
      ) : null}
    </>
  );
}
