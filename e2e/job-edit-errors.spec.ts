import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, expectAccessible, sameOrigin, screenshot, test, uploadFile } from "./fixtures";
import { ordersCsv } from "./orders-csv";

async function createCsvJob(page: Page, name: string) {
  const file = await uploadFile(page.request, "orders.csv", ordersCsv);
  const response = await page.request.post("/api/v1/jobs", {
    headers: sameOrigin,
    data: { name, source: { type: "file", fileId: file.id, format: "csv" }, transform: [{ op: "filter", expr: "d => d.amount > 0" }] },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

test("a bad expression is flagged on its step, a failing step is marked by the preview, and a job travels as JSON", async ({ signedInPage: page }) => {
  const name = `Edit errors ${Date.now()}`;
  const jobId = await createCsvJob(page, name);
  await page.goto(`/jobs/${jobId}/edit`);
  const step1 = page.locator("li.step").filter({ has: page.getByText("Step 1: Filter", { exact: true }) });
  await expect(step1.getByText(/Preview of step 1: \d+ rows, 5 columns/)).toBeVisible();

  // An expression outside the safe subset: the schema the API uses rejects it as it is typed.
  const expression = page.getByLabel("Keep rows where");
  await expression.fill("d => process.exit(1)");
  await expect(expression).toHaveAttribute("aria-invalid", "true");
  await expect(step1.locator(".field-error")).toContainText("only op.* functions may be called");
  await expect(step1).toContainText("Complete this step to preview it.");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Some fields need attention")).toBeVisible();
  await expect(expression).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}/edit$`));

  // A valid expression on a column that is text: the preview runs the step and marks it failing.
  await expression.fill("d => d.amount > 0");
  await page.getByLabel("New step").selectOption("cast");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByRole("button", { name: "Add a column to convert" }).click();
  await page.getByLabel("Column 1", { exact: true }).fill("customer");
  await page.getByLabel("Type 1", { exact: true }).selectOption("integer");
  const step2 = page.locator("li.step").filter({ has: page.getByText("Step 2: Cast", { exact: true }) });
  await expect(step2).toHaveClass(/step-failing/);
  await expect(step2.locator(".step-preview")).toContainText("cannot cast");
  await expect(page.getByRole("list", { name: "Stages" }).getByRole("button", { name: /^Step 2: Cast/ })).toContainText("Failed: ");
  await expectAccessible(page, "the builder with a failing step");
  await screenshot(page, "builder-failing-step");

  // Fixing it clears the mark; the edit is saved.
  await step2.getByRole("button", { name: "Remove step 2" }).click();
  await expression.fill("d => d.amount > 10");
  await expect(step1.getByText(/Preview of step 1: \d+ rows/)).toBeVisible();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  await expect(page.getByText("Filter: d => d.amount > 10")).toBeVisible();

  // Export: the definition only, as POST /api/v1/jobs takes it.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  expect(Object.keys(exported)).not.toContain("id");
  expect(exported).toMatchObject({ name, transform: [{ op: "filter", expr: "d => d.amount > 10" }], destination: { type: "dataset", mode: "replace" } });

  // Import: a definition that does not validate is refused with each problem; a valid one replaces the builder's values.
  await page.goto(`/jobs/${jobId}/edit`);
  await page.getByRole("button", { name: "Import JSON" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a job definition" });
  await dialog.getByLabel("Or paste JSON").fill(JSON.stringify({ ...exported, transform: [{ op: "limit", count: -1 }] }));
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert")).toContainText("transform.0.count");
  await dialog.getByLabel("Or paste JSON").fill(JSON.stringify({ ...exported, transform: [...exported.transform, { op: "limit", count: 3 }] }));
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator("li.step legend").getByText("Step 2: Limit", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Rows to keep")).toHaveValue("3");
  await expect(page.getByRole("list", { name: "Stages" }).getByRole("button", { name: /^Step 2: Limit/ })).toContainText("3 rows");
});
