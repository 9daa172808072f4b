"use client";

import { useState, type FormEvent } from "react";
import { defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { errorMessage } from "@/components/api-client";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { formatDateTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import { roleSchema, type Member } from "@/lib/schemas/workspaces";
import { useAddMember, useChangeRole, useMembers, useRemoveMember, useWorkspaces } from "./admin-queries";

const ROLES = roleSchema.options;
type Role = Member["role"];

const ROLE_HINTS: Record<Role, string> = {
  viewer: "reads jobs, runs, logs and results",
  editor: "also creates, edits, runs and deletes jobs, connections and uploads",
  admin: "also manages members and reads the audit log",
};

/** The current workspace's members: everyone sees the list, admins add, re-role and remove. */
export function MemberManager() {
  const me = useMe();
  const workspaces = useWorkspaces();
  const workspaceId = defaultWorkspaceId(me.data);
  const workspace = workspaces.data?.results.find((w) => w.id === workspaceId);
  const members = useMembers(workspaceId);
  const isAdmin = workspace?.role === "admin" || Boolean(me.data?.isInstanceAdmin);

  if (!workspaceId) return <p className="empty">You are not a member of any workspace.</p>;
  return (
    <>
      <div className="page-header">
        <h1>Members{workspace ? ` of ${workspace.name}` : ""}</h1>
      </div>
      <ul className="muted small">
        {ROLES.map((role) => (
          <li key={role}>
            <strong>{role}</strong>: {ROLE_HINTS[role]}
          </li>
        ))}
      </ul>
      {isAdmin ? <AddMemberForm workspaceId={workspaceId} /> : null}
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">People</h2>
        {members.isError ? (
          <QueryError error={members.error} what="members" onRetry={() => members.refetch()} />
        ) : !members.data ? (
          <p className="muted" role="status">
            Loading members…
          </p>
        ) : (
          <MemberTable workspaceId={workspaceId} members={members.data.results} editable={isAdmin} myId={me.data?.id} />
        )}
      </section>
    </>
  );
}

function AddMemberForm({ workspaceId }: { workspaceId: string }) {
  const add = useAddMember(workspaceId);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail("") });
  };
  return (
    <section aria-labelledby="add-member-heading" className="card">
      <h2 id="add-member-heading">Add a member</h2>
      <form className="form" onSubmit={onSubmit} noValidate>
        <div className="grid">
          <div className="field">
            <label htmlFor="member-email">Email</label>
            <input id="member-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" />
            <p className="hint">An existing user; an instance admin creates new ones.</p>
          </div>
          <div className="field">
            <label htmlFor="member-role">Role</label>
            <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div>
          <button type="submit" className="button button-primary" disabled={add.isPending || !email.trim()}>
            {add.isPending ? "Adding…" : "Add member"}
          </button>
        </div>
        <div role="alert">{add.isError ? <p className="alert alert-error">Could not add: {errorMessage(add.error)}</p> : null}</div>
      </form>
    </section>
  );
}

type TableProps = { workspaceId: string; members: Member[]; editable: boolean; myId: string | undefined };

function MemberTable({ workspaceId, members, editable, myId }: TableProps) {
  const change = useChangeRole(workspaceId);
  const remove = useRemoveMember(workspaceId);
  const failure = change.error ?? remove.error;
  return (
    <>
      <div role="alert">{failure ? <p className="alert alert-error">{errorMessage(failure)}</p> : null}</div>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Members, scrollable">
        <table className="table">
          <caption className="visually-hidden">Members and their roles</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Member since</th>
              {editable ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>
                  {member.name}
                  {member.userId === myId ? <span className="muted small"> (you)</span> : null}
                  {member.active ? null : <span className="badge badge-unknown">deactivated</span>}
                </td>
                <td>{member.email}</td>
                <td>
                  {editable ? (
                    <>
                      <label htmlFor={`role-${member.userId}`} className="visually-hidden">
                        Role of {member.email}
                      </label>
                      <select
                        id={`role-${member.userId}`}
                        value={member.role}
                        disabled={change.isPending}
                        onChange={(e) => change.mutate({ userId: member.userId, role: e.target.value as Role })}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </>
                  ) : (
                    member.role
                  )}
                </td>
                <td>{formatDateTime(member.createdAt)}</td>
                {editable ? (
                  <td className="actions-cell">
                    <ConfirmButton
                      className="button button-danger-text"
                      title={`Remove ${member.email}?`}
                      description={<p>They lose access to this workspace&apos;s jobs, runs and data at once.</p>}
                      confirmLabel="Remove member"
                      onConfirm={() => remove.mutate(member.userId)}
                    >
                      Remove<span className="visually-hidden"> {member.email}</span>
                    </ConfirmButton>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
