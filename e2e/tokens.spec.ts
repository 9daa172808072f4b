import { expect, screenshot, test } from "./fixtures";

test("create an API token, see it once, use it, revoke it", async ({ signedInPage: page, request }) => {
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();

  // A blank name is refused beside the field.
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Give the token a name.")).toBeVisible();

  await page.getByLabel("Token name").fill("e2e pipeline");
  await page.getByLabel("Acts as").selectOption({ label: "Viewer: read only" });
  await page.getByLabel("Expires").selectOption({ label: "In 30 days" });
  await page.getByRole("button", { name: "Create token" }).click();
  const tokenField = page.getByLabel("New API token");
  await expect(tokenField).toBeFocused();
  const token = await tokenField.inputValue();
  expect(token.length).toBeGreaterThan(20);
  await screenshot(page, "tokens");

  // The token works for the REST API on its own, without the browser session.
  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);

  const row = page.getByRole("row").filter({ hasText: "e2e pipeline" });
  await expect(row).toBeVisible();
  await expect(row).toContainText("at most viewer");
  await expect(row.getByRole("cell").nth(5)).not.toHaveText("never");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(tokenField).toHaveCount(0);

  await row.getByRole("button", { name: "Revoke e2e pipeline" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke “e2e pipeline”?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No tokens yet.")).toBeVisible();

  const after = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});
