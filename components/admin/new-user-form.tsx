"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { errorMessage } from "@/components/api-client";
import { userCreateSchema } from "@/lib/schemas/users";
import { useCreateUser } from "./admin-queries";

type Values = z.input<typeof userCreateSchema>;

const FIELDS = [
  { name: "email", label: "Email", type: "email", autoComplete: "off" },
  { name: "name", label: "Name", type: "text", autoComplete: "off" },
  { name: "password", label: "Initial password", type: "password", autoComplete: "new-password" },
] as const;

/** Creates a user with a password the admin hands over; the user can then be added to workspaces. */
export function NewUserForm() {
  const create = useCreateUser();
  const { register, handleSubmit, reset, formState } = useForm<Values, unknown, z.output<typeof userCreateSchema>>({
    resolver: zodResolver(userCreateSchema),
    defaultValues: { email: "", name: "", password: "", isInstanceAdmin: false, personalWorkspace: true },
  });
  const onSubmit = handleSubmit(async (values) => {
    if (await create.mutateAsync(values).catch(() => undefined)) reset();
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <div className="grid">
        {FIELDS.map((field) => {
          const error = formState.errors[field.name]?.message;
          return (
            <div key={field.name} className={`field${error ? " field-invalid" : ""}`}>
              <label htmlFor={`user-${field.name}`}>{field.label}</label>
              <input
                id={`user-${field.name}`}
                type={field.type}
                autoComplete={field.autoComplete}
                aria-invalid={Boolean(error)}
                aria-describedby={error ? `user-${field.name}-error` : undefined}
                {...register(field.name)}
              />
              {error ? (
                <p id={`user-${field.name}-error`} className="field-error">
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <div className="field">
        <label>
          <input type="checkbox" {...register("personalWorkspace")} /> Give them a workspace of their own
        </label>
        <label>
          <input type="checkbox" {...register("isInstanceAdmin")} /> Instance admin (manages users and workspaces)
        </label>
      </div>
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
      </div>
      <div role="alert">{create.isError ? <p className="alert alert-error">Could not create the user: {errorMessage(create.error)}</p> : null}</div>
      <div role="status">{create.isSuccess ? <p className="alert alert-ok">Created {create.data.email}.</p> : null}</div>
    </form>
  );
}
