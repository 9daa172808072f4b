import type { APIRequestContext } from "@playwright/test";
import { expect, expectAccessible, screenshot, test } from "./fixtures";

/** Creates a job through the API with the page's session cookie (writes need a same-site Origin). */
async function createJob(request: APIRequestContext, name: string) {
  const response = await request.post("/api/v1/jobs", {
    headers: { origin: process.env.E2E_BASE_URL ?? "" },
    data: {
      name,
      source: { type: "http", url: "http://127.0.0.1:9/records", recordsPath: "items" },
      transform: [{ op: "normalize" }],
    },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string };
}

test("search the jobs list, edit a job, refuse a duplicate name, delete a job", async ({ signedInPage: page }) => {
  const stamp = Date.now();
  const first = await createJob(page.request, `Orders ${stamp}`);
  await createJob(page.request, `Invoices ${stamp}`);

  // Search narrows the list as you type (debounced) and keeps q in the URL.
  await page.goto("/jobs");
  await page.getByLabel("Search jobs").fill(`Orders ${stamp}`);
  await expect(page).toHaveURL(new RegExp(`q=Orders\\+${stamp}`));
  await expect(page.getByRole("link", { name: `Orders ${stamp}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `Invoices ${stamp}` })).toHaveCount(0);
  await page.getByLabel("Search jobs").fill("no job is called this");
  await expect(page.getByText("No jobs match “no job is called this”.")).toBeVisible();

  // Edit: the form starts from the saved definition.
  await page.goto(`/jobs/${first.id}`);
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(`Orders ${stamp}`);
  await expect(page.getByLabel("Records path")).toHaveValue("items");
  await expect(page.locator("li.step legend").getByText("Step 1: Normalize")).toBeVisible();
  await expectAccessible(page, "the job builder editing a job");

  // A name another job has is refused by the server (409) and shown on the name field.
  await page.getByLabel("Name", { exact: true }).fill(`Invoices ${stamp}`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("A job with this name already exists in the workspace.")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toBeFocused();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");

  // Every field validates as you type, number fields included.
  await page.getByLabel("Attempts").fill("0");
  await expect(page.getByText("must be 1 or more")).toBeVisible();
  await page.getByLabel("Attempts").fill("2");
  await expect(page.getByText("must be 1 or more")).toBeHidden();

  await page.getByLabel("Name", { exact: true }).fill(`Orders v2 ${stamp}`);
  await page.getByLabel("New step").selectOption("select");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Columns", { exact: true }).fill("id, total");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${first.id}$`));
  await expect(page.getByRole("heading", { name: `Orders v2 ${stamp}` })).toBeVisible();
  await expect(page.getByText("Select id, total")).toBeVisible();
  await expect(page.getByText("2 attempts")).toBeVisible();

  // Delete asks first; cancelling keeps the job.
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete “Orders v2 ${stamp}”?` });
  await expect(dialog).toBeVisible();
  await screenshot(page, "job-delete-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Delete" })).toBeFocused();

  await page.getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete job" }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(page.getByRole("link", { name: `Orders v2 ${stamp}` })).toHaveCount(0);
  await expect(page.getByRole("link", { name: `Invoices ${stamp}` })).toBeVisible();
});

test("the job form is usable at 390px", async ({ signedInPage: page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/jobs/new");
  await page.getByLabel("Pagination style").selectOption("page");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("New step").selectOption("rename");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByRole("button", { name: "Add a column to rename" }).click();
  // Nothing overflows the viewport sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page, "the job builder at 390px");
  await screenshot(page, "job-form-390");
});
