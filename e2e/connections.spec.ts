import { expect, expectAccessible, screenshot, test } from "./fixtures";

test("save a MySQL connection in a dialog, test it, refuse a bad one as typed, delete it", async ({ signedInPage: page }) => {
  const name = `MariaDB ${Date.now()}`;
  await page.getByRole("link", { name: "Connections" }).click();
  await expect(page.getByRole("heading", { name: "Connections", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "New MySQL connection" }).click();
  const dialog = page.getByRole("dialog", { name: "New MySQL connection" });
  await dialog.getByLabel("Connection name").fill(name);
  // The API's own schema checks the fields as they are typed.
  await dialog.getByLabel("Host").fill("db/socket");
  await expect(dialog.getByText("must be a host name or IP address")).toBeVisible();
  await dialog.getByLabel("Host").fill("127.0.0.1");
  await dialog.getByLabel("Database").fill("mysql");
  await dialog.getByLabel("User").fill("root");
  await expectAccessible(page, "the new-connection dialog");
  await screenshot(page, "connection-dialog");
  await dialog.getByRole("button", { name: "Save connection" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Saved ${name}.`)).toBeVisible();

  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("root@127.0.0.1:3306/mysql");
  await row.getByRole("button", { name: `Test ${name}` }).click();
  await expect(page.getByText(new RegExp(`${name}: connected in \\d+ ms`))).toBeVisible({ timeout: 20_000 });

  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: `Delete “${name}”?` }).getByRole("button", { name: "Delete connection" }).click();
  await expect(page.getByText(`Deleted ${name}.`)).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(0);
});

test("in the builder, a MySQL source gets a connection created inline and its query previewed", async ({ signedInPage: page }) => {
  const name = `Inline MariaDB ${Date.now()}`;
  await page.goto("/jobs/new");
  await page.getByRole("radio", { name: /MySQL query/ }).check();
  await page.getByRole("button", { name: "New connection" }).click();
  const dialog = page.getByRole("dialog", { name: "New MySQL connection" });
  await dialog.getByLabel("Connection name").fill(name);
  await dialog.getByLabel("Host").fill("127.0.0.1");
  await dialog.getByLabel("Database").fill("mysql");
  await dialog.getByLabel("User").fill("root");
  await dialog.getByRole("button", { name: "Save connection" }).click();
  await expect(dialog).toBeHidden();
  // Saving the connection did not submit the job form around the button; the new connection is chosen.
  await expect(page).toHaveURL(/\/jobs\/new$/);
  await expect(page.getByLabel("Connection", { exact: true })).toHaveValue(/[0-9a-f-]{36}/);
  await expect(page.getByLabel("Connection", { exact: true }).locator("option:checked")).toHaveText(new RegExp(`^${name}`));
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(/^Connected in \d+ ms/)).toBeVisible({ timeout: 20_000 });

  await page.getByRole("textbox", { name: "Query" }).fill("SELECT 1 AS n, 'one' AS word UNION ALL SELECT 2, 'two'");
  const source = page.getByRole("list", { name: "Stages" }).getByRole("button", { name: /^Source/ });
  await expect(source).toContainText("2 rows, 2 columns");
  await expect(page.getByRole("table", { name: /First rows after Source/ }).locator("tbody tr")).toHaveCount(2);
  await expectAccessible(page, "the builder with a database source");
  await screenshot(page, "builder-mysql");
});
