"use client";

import { useState } from "react";
import { useMe } from "@/components/auth/use-me";
import { ApiError, errorMessage } from "@/components/api-client";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { formatDateTime } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { useDeleteUser, useUpdateUser, useUsers } from "./admin-queries";
import { NewUserForm } from "./new-user-form";

const PAGE_SIZE = 25;

/** Instance admins: every user, create, deactivate or reactivate, grant instance admin, delete. */
export function UserManager() {
  const me = useMe();
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const users = useUsers({ q, page, pageSize: PAGE_SIZE });
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const failure = update.error ?? remove.error;

  if (users.error instanceof ApiError && users.error.status === 403) {
    return <p className="alert alert-error">Only instance admins manage users.</p>;
  }
  return (
    <>
      <div className="page-header">
        <h1>Users</h1>
      </div>
      <section aria-labelledby="new-user-heading" className="card">
        <h2 id="new-user-heading">New user</h2>
        <NewUserForm />
      </section>

      <section aria-labelledby="users-heading">
        <h2 id="users-heading">All users</h2>
        <search className="toolbar">
          <label htmlFor="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            value={search}
            placeholder="Email or name contains…"
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </search>
        <div role="alert">{failure ? <p className="alert alert-error">{errorMessage(failure)}</p> : null}</div>
        {users.isError ? (
          <QueryError error={users.error} what="users" onRetry={() => users.refetch()} />
        ) : !users.data ? (
          <p className="muted" role="status">
            Loading users…
          </p>
        ) : (
          <>
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Users, scrollable">
              <table className="table">
                <caption className="visually-hidden">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Status</th>
                    <th scope="col">Instance admin</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {users.data.results.map((user) => {
                    const self = user.id === me.data?.id;
                    return (
                      <tr key={user.id}>
                        <td>
                          {user.name}
                          {self ? <span className="muted small"> (you)</span> : null}
                        </td>
                        <td>{user.email}</td>
                        <td>{user.active ? "active" : `deactivated ${formatDateTime(user.deactivatedAt)}`}</td>
                        <td>
                          <label>
                            <input
                              type="checkbox"
                              checked={user.isInstanceAdmin}
                              disabled={self || update.isPending}
                              onChange={(e) => update.mutate({ id: user.id, isInstanceAdmin: e.target.checked })}
                            />
                            <span className="visually-hidden"> {user.email} is an instance admin</span>
                          </label>
                        </td>
                        <td>{formatDateTime(user.createdAt)}</td>
                        <td className="actions-cell">
                          {self ? null : (
                            <>
                              <button
                                type="button"
                                className="button button-quiet"
                                disabled={update.isPending}
                                onClick={() => update.mutate({ id: user.id, active: !user.active })}
                              >
                                {user.active ? "Deactivate" : "Reactivate"}
                                <span className="visually-hidden"> {user.email}</span>
                              </button>
                              <ConfirmButton
                                className="button button-danger-text"
                                title={`Delete ${user.email}?`}
                                description={<p>Their memberships and API tokens are deleted; jobs they created stay.</p>}
                                confirmLabel="Delete user"
                                onConfirm={() => remove.mutate(user.id)}
                              >
                                Delete<span className="visually-hidden"> {user.email}</span>
                              </ConfirmButton>
                            </>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager
              label="users"
              page={page}
              pageSize={PAGE_SIZE}
              count={users.data.count}
              hasNext={Boolean(users.data.next)}
              hasPrevious={Boolean(users.data.previous)}
              onPageChange={setPage}
            />
          </>
        )}
      </section>
    </>
  );
}
