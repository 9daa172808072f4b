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
