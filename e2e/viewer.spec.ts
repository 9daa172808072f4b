import type { APIRequestContext } from "@playwright/test";
import { expect, expectAccessible, sameOrigin, screenshot, signIn, test, uploadFile } from "./fixtures";
import { ordersCsv } from "./orders-csv";

/** A job over the orders file, run once to success, all through the admin's API session. */
async function jobWithData(request: APIRequestContext, name: string) {
  const file = await uploadFile(request, "orders.csv", ordersCsv);
  const created = await request.post("/api/v1/jobs", { headers: sameOrigin, data: { name, source: { type: "file", fileId: file.id, format: "csv" } } });
  expect(created.status()).toBe(201);
  const job = (await created.json()) as { id: string };
  const triggered = await request.post(`/api/v1/jobs/${job.id}/runs`, { headers: sameOrigin });
  expect(triggered.status()).toBe(202);
  const run = (await triggered.json()) as { id: string };
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/runs/${run.id}`)).json()) as { status: string }).status, { timeout: 60_000 })
    .toBe("success");
  return { jobId: job.id, runId: run.id };
}

test("a viewer browses jobs, runs, logs and data, and sees no way to change or run anything", async ({ signedInPage: admin, browser }) => {
  const stamp = Date.now();
  const name = `Viewer's orders ${stamp}`;
  const { jobId, runId } = await jobWithData(admin.request, name);

  // The admin makes a user and adds them to their workspace as a viewer, through the members API.
  const me = (await (await admin.request.get("/api/v1/me")).json()) as { memberships: { workspaceId: string; isDefault: boolean }[] };
  const workspaceId = me.memberships.find((m) => m.isDefault)!.workspaceId;
  const viewer = { email: `viewer-${stamp}@example.com`, password: `viewer-pass-${stamp}` };
  const user = await admin.request.post("/api/v1/users", {
    headers: sameOrigin,
    data: { email: viewer.email, name: "Vera Viewer", password: viewer.password, personalWorkspace: false },
  });
  expect(user.status()).toBe(201);
  const member = await admin.request.post(`/api/v1/workspaces/${workspaceId}/members`, { headers: sameOrigin, data: { email: viewer.email, role: "viewer" } });
  expect(member.status()).toBe(201);

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, viewer.email, viewer.password);
  await expect(page).toHaveURL(/\/$/);

  // Dashboard: the run is counted, the job listed, no run buttons.
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Run .* now$/ })).toHaveCount(0);
  await expectAccessible(page, "the dashboard for a viewer");

  // Jobs list: searchable, no "New job", no "Run now".
  await page.getByRole("link", { name: "Jobs", exact: true }).first().click();
  await page.getByLabel("Search jobs").fill(name);
  // The search settles (debounced, then kept in the URL) before the list is used.
  await expect(page).toHaveURL(/\/jobs\?q=/);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "New job" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Run .* now$/ })).toHaveCount(0);

  // Job detail: definition, chart and runs, but no edit, run or delete.
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Uploaded CSV file")).toBeVisible();
  await expect(page.getByRole("img", { name: /Duration of the last 1 runs/ })).toBeVisible();
  for (const action of [/^Run .* now$/, /^Delete$/]) await expect(page.getByRole("button", { name: action })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expectAccessible(page, "a job's page for a viewer");
  await screenshot(page, "viewer-job-detail");

  // The dataset, the run, its log and its rows are all readable.
  await page.getByRole("link", { name: "Browse data" }).click();
  await expect(page.getByRole("heading", { name: `Data of “${name}”` })).toBeVisible();
  await expect(page.getByText("24 rows", { exact: true })).toBeVisible();
  await expectAccessible(page, "a job's dataset for a viewer");
  await page.goto(`/runs/${runId}`);
  await expect(page.getByRole("log", { name: "Run log" })).toContainText("Loaded 24 rows");
  await expect(page.getByRole("table", { name: /Rows loaded by this run/ }).locator("tbody tr")).toHaveCount(24);
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);

  // The builder says why it is closed; the API refuses anyway.
  await page.goto("/jobs/new");
  await expect(page.getByText("Your role in this workspace lets you browse jobs, not create them.")).toBeVisible();
  await page.goto(`/jobs/${jobId}/edit`);
  await expect(page.getByText("Your role in this workspace lets you read this job, not change it.")).toBeVisible();
  const refused = await page.request.post(`/api/v1/jobs/${jobId}/runs`, { headers: sameOrigin });
  expect(refused.status()).toBe(403);
  await context.close();
});
