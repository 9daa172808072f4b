import { expect, expectAccessible, screenshot, test } from "./fixtures";

const PAGES = [
  { path: "/", heading: "Dashboard", shot: "dashboard" },
  { path: "/jobs", heading: "Jobs", shot: "jobs" },
  { path: "/jobs/new", heading: "New job", shot: "job-new" },
  { path: "/connections", heading: "Connections", shot: "connections" },
  { path: "/tokens", heading: "API tokens", shot: "tokens-page" },
  { path: "/members", heading: /^Members/, shot: "members" },
  { path: "/users", heading: "Users", shot: "users" },
  { path: "/audit", heading: "Audit log", shot: "audit" },
];

test("every page has no serious accessibility problem and fits 1280px and 390px", async ({ signedInPage: page }) => {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const target of PAGES) {
      await page.goto(target.path);
      await expect(page.getByRole("heading", { level: 1, name: target.heading })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
      await expectAccessible(page, `${target.path} at ${width}px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${target.path} overflows sideways at ${width}px`).toBeLessThanOrEqual(0);
      await screenshot(page, `${target.shot}-${width}`);
    }
  }
});

test("the builder works from the keyboard alone: choose a source, add and reorder steps", async ({ signedInPage: page }) => {
  await page.goto("/jobs/new");
  await page.getByLabel("Name", { exact: true }).focus();
  await page.keyboard.type("Keyboard job");
  // The source type radio group: arrow keys move the choice.
  await page.getByRole("radio", { name: /HTTP API/ }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("radio", { name: /Uploaded file/ })).toBeChecked();
  await expect(page.getByLabel("Upload a file")).toBeVisible();

  const newStep = page.getByLabel("New step");
  await newStep.focus();
  await newStep.selectOption("limit");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Add step" })).toBeFocused();
  await page.keyboard.press("Enter");
  await newStep.selectOption("dedupe");
  await page.getByRole("button", { name: "Add step" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("li.step legend").getByText("Step 2: Dedupe", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Move step 2 up" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("li.step legend").getByText("Step 1: Dedupe", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Move step 1 down" })).toBeFocused();
});
