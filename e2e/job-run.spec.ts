import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, expectAccessible, screenshot, test } from "./fixtures";
import { customers, startRecordsServer } from "./records-server";

let api: Awaited<ReturnType<typeof startRecordsServer>>;

test.beforeAll(async () => {
  api = await startRecordsServer();
});

test.afterAll(async () => {
  await api.close();
});

/** The texts of one column of the results table, by header name. */
async function columnValues(page: Page, column: string): Promise<string[]> {
  const table = page.getByRole("table", { name: /Rows loaded by this run/ });
  const headers = await table.locator("thead th").allInnerTexts();
  const index = headers.findIndex((text) => text.split("\n")[0]?.trim() === column || text.startsWith(`${column} `));
  expect(index, `column ${column} in ${headers.join(" | ")}`).toBeGreaterThanOrEqual(0);
  return table.locator(`tbody tr td:nth-child(${index + 1})`).allInnerTexts();
}

test("build a job in the form, run it, watch it succeed and page through its results", async ({ signedInPage: page }) => {
  const name = `Customers ${Date.now()}`;

  await page.getByRole("link", { name: "Jobs", exact: true }).first().click();
  await page.getByRole("link", { name: "New job" }).click();
  await expect(page.getByRole("heading", { name: "New job" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description").fill("Customers from the fixture API, three pages linked by links.next");

  // Validation as you type: an invalid URL is flagged beside the field before any submit.
  const url = page.getByLabel("URL", { exact: true });
  await url.pressSequentially("ftp:/nope");
  await expect(page.getByText("must be an http or https URL")).toBeVisible();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await url.fill(api.url);
  await expect(page.getByText("must be an http or https URL")).toBeHidden();

  await page.getByLabel("Records path").fill("data");
  await page.getByLabel("Pagination style").selectOption("next_url");
  await page.getByLabel("Next URL path").fill("links.next");
  await page.getByRole("button", { name: "Add query parameter" }).click();
  await page.getByLabel("Parameter 1", { exact: true }).fill("page");
  await page.getByLabel("Value 1", { exact: true }).fill("1");

  // Steps: rename first, then normalize, then move normalize up so it runs first.
  await page.getByLabel("New step").selectOption("rename");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByRole("button", { name: "Add a column to rename" }).click();
  await page.getByLabel("Old name 1", { exact: true }).fill("address.city");
  await page.getByLabel("New name 1", { exact: true }).fill("city");
  await page.getByLabel("New step").selectOption("normalize");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByRole("button", { name: "Move step 2 up" }).click();
  await expect(page.locator("li.step legend").getByText("Step 1: Normalize")).toBeVisible();
  await expect(page.locator("li.step legend").getByText("Step 2: Rename")).toBeVisible();
  await expect(page.getByRole("button", { name: "Move step 1 down" })).toBeFocused();

  await page.getByLabel("New step").selectOption("drop");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Columns", { exact: true }).fill("tags, address.country");
  await page.getByLabel("Attempts").fill("1");
  // The live preview reads the first page: three steps, the last one dropping two columns.
  await expect(page.getByRole("button", { name: /^Step 3: Drop/ })).toContainText("20 rows");
  await expectAccessible(page, "the job builder");
  await screenshot(page, "job-form");

  await page.getByRole("button", { name: "Create job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Next URL at links.next")).toBeVisible();
  await expect(page.getByText("No runs yet.")).toBeVisible();
  await screenshot(page, "job-detail-new");

  await expectAccessible(page, "a new job's page");
  // Only the run's own requests count from here on (the builder's preview read page 1 before).
  api.requests.length = 0;
  await page.getByRole("button", { name: `Run ${name} now` }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runUrl = page.url();

  // The run page polls: the status turns to Success and the log shows each page fetched.
  await expect(page.locator(".run-summary").getByText("Success", { exact: true })).toBeVisible({ timeout: 60_000 });
  const log = page.getByRole("log", { name: "Run log" });
  await expect(log).toContainText("Fetched page 1");
  await expect(log).toContainText("Fetched page 3");
  await expect(log).toContainText("Loaded 60 rows");
  await expect(log.locator(".log-level").first()).toHaveText("INFO");
  const fact = (label: string) => page.locator(".facts > div").filter({ has: page.getByText(label, { exact: true }) }).locator("dd");
  await expect(fact("Rows extracted")).toHaveText("60");
  await expect(fact("Rows loaded")).toHaveText("60");
  await expect(fact("Trigger")).toHaveText("manual");
  expect(api.requests).toEqual(["/customers?page=1", "/customers?page=2", "/customers?page=3"]);

  // Results: typed headers, 25 rows a page over 3 pages.
  await expect(page.getByText("60 rows", { exact: true })).toBeVisible();
  const table = page.getByRole("table", { name: /Rows loaded by this run/ });
  await expect(table.getByRole("columnheader", { name: /^city string/ })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: /^metrics\.score integer/ })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: /^tags/ })).toHaveCount(0);
  await expect(table.locator("tbody tr")).toHaveCount(25);
  await expect(page.getByText("Page 1 of 3")).toBeVisible();
  expect(await columnValues(page, "name")).toEqual(customers.slice(0, 25).map((c) => c.name));
  await expectAccessible(page, "a run's page");
  await screenshot(page, "run-detail");

  await page.getByRole("button", { name: "Next →" }).click();
  await expect(page.getByText("Page 2 of 3")).toBeVisible();
  await expect.poll(() => columnValues(page, "name")).toEqual(customers.slice(25, 50).map((c) => c.name));
  await page.getByRole("button", { name: "Next →" }).click();
  await expect(page.getByText("Page 3 of 3")).toBeVisible();
  await expect(table.locator("tbody tr")).toHaveCount(10);
  await expect(page.getByRole("button", { name: "Next →" })).toBeDisabled();

  // Sorting by a header goes back to page 1: ascending, then descending on a second click.
  const byScore = [...customers].sort((a, b) => a.metrics.score - b.metrics.score).map((c) => String(c.metrics.score));
  const scoreHeader = table.getByRole("columnheader", { name: /^metrics\.score/ });
  await scoreHeader.getByRole("button").click();
  await expect(scoreHeader).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByText("Page 1 of 3")).toBeVisible();
  await expect.poll(() => columnValues(page, "metrics.score")).toEqual(byScore.slice(0, 25));
  await scoreHeader.getByRole("button").click();
  await expect(scoreHeader).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => columnValues(page, "metrics.score")).toEqual([...byScore].reverse().slice(0, 25));

  // Search across text columns.
  await page.getByLabel("Search rows").fill("Oslo");
  await expect(page.getByText("12 rows matching “Oslo”", { exact: false })).toBeVisible();
  await expect.poll(async () => new Set(await columnValues(page, "city"))).toEqual(new Set(["Oslo"]));

  // The job page lists the run with its status and row count.
  await page.getByRole("link", { name: name }).click();
  const history = page.getByRole("table", { name: /Runs of this job/ });
  await expect(history.locator("tbody tr")).toHaveCount(1);
  await expect(history.locator("tbody tr").first()).toContainText("Success");
  await expect(history.locator("tbody tr").first()).toContainText("60");
  await expectAccessible(page, "a job's page with its runs");
  await screenshot(page, "job-detail");

  // And the jobs list shows its last run.
  await page.getByRole("link", { name: "Jobs", exact: true }).first().click();
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row.getByText("Success")).toBeVisible();
  await expectAccessible(page, "the jobs list");
  await screenshot(page, "jobs-list");
  await row.getByRole("link", { name: "Last run: success" }).click();
  await expect(page).toHaveURL(runUrl);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByText("60 rows", { exact: true })).toBeVisible();
  await expectAccessible(page, "a run's page at 390px");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the run's page overflows sideways at 390px").toBeLessThanOrEqual(0);
  await screenshot(page, "run-detail-390");
});

/** Creates a job through the API with the page's session cookie (writes need a same-site Origin). */
async function createJob(page: Page, name: string, url: string): Promise<string> {
  const response = await page.request.post("/api/v1/jobs", {
    headers: { origin: process.env.E2E_BASE_URL ?? "" },
    data: { name, source: { type: "http", url, timeoutMs: 120_000 }, retry: { attempts: 1, backoffSeconds: 1 } },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

test("a failed run names its stage and cause; a running run can be cancelled", async ({ signedInPage: page }) => {
  const missing = await createJob(page, `Missing ${Date.now()}`, `${api.url.replace("/customers", "/missing")}`);
  await page.goto(`/jobs/${missing}`);
  await page.getByRole("button", { name: /^Run .* now$/ }).click();
  await expect(page).toHaveURL(/\/runs\//);
  const summary = page.locator(".run-summary");
  await expect(summary.getByText("Failed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(summary.getByRole("alert")).toContainText("Failed in extract:");
  await expect(summary.getByRole("alert")).toContainText("HTTP 404");
  await expect(page.getByRole("log", { name: "Run log" }).locator(".log-error")).toContainText("extract failed");
  await expect(page.getByText("Results are shown only for successful runs; this one failed.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  // The log's tools: hide a level, jump to the first error (shown again and focused), download it all.
  await page.getByLabel("error", { exact: true }).uncheck();
  await expect(page.getByRole("log", { name: "Run log" }).locator(".log-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Jump to first error" }).click();
  await expect(page.getByRole("log", { name: "Run log" }).locator(".log-error").first()).toBeFocused();
  await expect(page.getByLabel("error", { exact: true })).toBeChecked();
  const [logFile] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download log" }).click()]);
  expect(logFile.suggestedFilename()).toMatch(/^run-[0-9a-f-]{36}\.log$/);
  expect(await readFile(await logFile.path(), "utf8")).toMatch(/ ERROR .*extract failed/);
  await expectAccessible(page, "a failed run's page");
  await screenshot(page, "run-failed");

  // The dashboard puts the job whose last run failed first.
  await page.goto("/");
  const firstJob = page.getByRole("table", { name: /Jobs with runs in the last 24 hours/ }).locator("tbody tr").first();
  await expect(firstJob).toContainText("Missing");
  await expect(firstJob.getByRole("link", { name: /: failed$/ })).toBeVisible();

  const slow = await createJob(page, `Slow ${Date.now()}`, `${api.url.replace("/customers", "/slow")}`);
  await page.goto(`/jobs/${slow}`);
  await page.getByRole("button", { name: /^Run .* now$/ }).click();
  await expect(summary.getByText("Running", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(summary).toContainText("Stage: extract");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("dialog", { name: "Cancel this run?" }).getByRole("button", { name: "Cancel run" }).click();
  await expect(summary.getByText("Cancelled", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await expect(page.getByRole("log", { name: "Run log" })).toContainText("cancelled", { timeout: 15_000 });
});
