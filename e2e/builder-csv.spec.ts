import { readFile } from "node:fs/promises";
import { expect, expectAccessible, screenshot, test } from "./fixtures";
import { orders, ordersCsv } from "./orders-csv";

test("build a CSV job with three steps while the preview follows, run it, watch its log, filter, sort and download its rows", async ({ signedInPage: page }) => {
  const positive = orders.filter((o) => o.amount > 0);
  const name = `Orders CSV ${Date.now()}`;

  await page.getByRole("link", { name: "Jobs", exact: true }).first().click();
  await page.getByRole("link", { name: "New job" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("radio", { name: /Uploaded file/ }).check();
  await page.getByLabel("Upload a file").setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(ordersCsv) });
  await expect(page.getByText("Using orders.csv")).toBeVisible();
  await expect(page.getByLabel("Format")).toHaveValue("csv");

  // The preview follows every change: the source, then each step as it becomes complete.
  const stage = (label: RegExp) => page.getByRole("list", { name: "Stages" }).getByRole("button", { name: label });
  await expect(stage(/^Source/)).toContainText("24 rows, 5 columns");

  await page.getByLabel("New step").selectOption("filter");
  await page.getByRole("button", { name: "Add step" }).click();
  await expect(stage(/^Step 1: Filter/)).toContainText("Complete this step to preview it.");
  await page.getByLabel("Keep rows where").fill("d => d.amount > 0");
  await expect(stage(/^Step 1: Filter/)).toContainText(`${positive.length} rows, 5 columns`);

  await page.getByLabel("New step").selectOption("derive");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByRole("button", { name: "Add a computed column" }).click();
  // Column names the preview knows are offered for the new column's name.
  await expect(page.locator("datalist option[value='amount']").first()).toBeAttached();
  await page.getByLabel("Column 1", { exact: true }).fill("gross");
  await page.getByLabel("Expression 1", { exact: true }).fill("d => d.amount * 2");
  await expect(stage(/^Step 2: Derive/)).toContainText(`${positive.length} rows, 6 columns`);

  await page.getByLabel("New step").selectOption("select");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("Columns", { exact: true }).fill("id");
  // The columns available after step 2, gross included, are one click away.
  await page.getByRole("button", { name: "Add column city" }).click();
  await page.getByRole("button", { name: "Add column gross" }).click();
  await expect(page.getByLabel("Columns", { exact: true })).toHaveValue("id, city, gross");
  await expect(stage(/^Step 3: Select/)).toContainText(`${positive.length} rows, 3 columns`);
  await expect(page.getByRole("table", { name: /First rows after Step 3: Select/ }).locator("thead th")).toHaveText(["id", "city", "gross"]);
  await expect(page.getByText(`Preview of step 3: ${positive.length} rows, 3 columns`)).toBeAttached();
  await page.getByLabel("Attempts").fill("1");
  await expectAccessible(page, "the builder with a file source and a live preview");
  await screenshot(page, "builder-csv");

  await page.getByRole("button", { name: "Create job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Uploaded CSV file")).toBeVisible();
  await expect(page.getByText("Filter: d => d.amount > 0")).toBeVisible();
  await page.getByRole("button", { name: `Run ${name} now` }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);

  // The log fills in by itself while the run goes on, then the status turns to success.
  const log = page.getByRole("log", { name: "Run log" });
  await expect(log).toContainText('Reading "orders.csv"');
  await expect(page.locator(".run-summary").getByText("Success", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(log).toContainText(`Loaded ${positive.length} rows`);
  await page.getByLabel("info", { exact: true }).uncheck();
  await expect(page.getByText(/^\d+ of \d+ lines shown/)).toBeVisible();
  await page.getByLabel("info", { exact: true }).check();

  // Results: a filter on city, then sort by gross descending; the grid and the download agree.
  const table = page.getByRole("table", { name: /Rows loaded by this run/ });
  await expect(page.getByText(`${positive.length} rows`, { exact: true })).toBeVisible();
  await page.getByLabel("Filter column").selectOption("city");
  await page.getByLabel("Comparison").selectOption("eq");
  await page.getByLabel("Value").fill("Oslo");
  await page.getByRole("button", { name: "Add filter" }).click();
  const oslo = positive.filter((o) => o.city === "Oslo");
  await expect(page.getByText(`${oslo.length} rows with 1 filter`)).toBeVisible();
  const gross = table.getByRole("columnheader", { name: /^gross/ });
  await gross.getByRole("button").click();
  await expect(gross).toHaveAttribute("aria-sort", "ascending");
  await gross.getByRole("button").click();
  await expect(gross).toHaveAttribute("aria-sort", "descending");
  const expected = [...oslo].sort((a, b) => b.amount - a.amount);
  await expect(table.locator("tbody tr td:nth-child(4)")).toHaveText(expected.map((o) => String(o.amount * 2)));

  await page.getByRole("button", { name: "Column profile" }).click();
  const cityCard = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: /^city/ }) });
  await expect(cityCard).toContainText("Distinct1");
  await expectAccessible(page, "a run's results with a filter, a sort and the column profile");
  await screenshot(page, "run-results-explorer");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^Orders-CSV-\d+-run-[0-9a-f]{8}\.csv$/);
  const csv = await readFile(await download.path(), "utf8");
  expect(csv).toBe(["id,city,gross", ...expected.map((o) => `${o.id},Oslo,${o.amount * 2}`), ""].join("\r\n"));

  // A value the column cannot hold is refused beside the filter that caused it, which stays there to be removed.
  await page.getByLabel("Filter column").selectOption("gross");
  await page.getByLabel("Comparison").selectOption("gt");
  await page.getByRole("textbox", { name: "Value", exact: true }).fill("abc");
  await page.getByRole("button", { name: "Add filter" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Could not load the rows" });
  await expect(refusal).toContainText('filter[gross][gt] "abc" is not an integer');
  await page.getByRole("button", { name: "Remove filter gross > abc" }).click();
  await expect(page.getByText(`${oslo.length} rows with 1 filter`)).toBeVisible();
});
