import { beforeEach, describe, expect, it } from "vitest";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { PATCH as patchJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { sql } from "@/lib/db/client";
import { call, expectProblem, tokenFor } from "../api";
import { createUser, resetDatabase } from "../db";
import { uploadOk } from "../integration/file-helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";
const refusal = [{ path: "source.fileId", message: "no uploaded file with this id in the job's workspace" }];

beforeEach(async () => {
  await resetDatabase();
});

async function editor() {
  const { user } = await createUser();
  return { user, token: await tokenFor(user.email) };
}

const fileSource = (fileId: string) => ({ type: "file", fileId, format: "csv" });
const jobCount = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs`)[0]!.n;

describe("jobs reading an uploaded file", () => {
  it("are refused on create when the file does not exist or is another workspace's (422 with the field's path)", async () => {
    const { token } = await editor();
    const stranger = await editor();
    const foreign = await uploadOk(stranger.user.id, "theirs.csv", "id\n1\n");
    const create = (name: string, fileId: string) =>
      call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: { name, source: fileSource(fileId) } });

    expect(expectProblem(await create("ffake", MISSING), 422).errors).toEqual(refusal);
    expect(expectProblem(await create("theirs", foreign), 422).errors).toEqual(refusal);
    expect(await jobCount()).toBe(0);
  });

  it("are created with a file of their workspace, and refused on update to a missing or foreign file", async () => {
    const { user, token } = await editor();
    const stranger = await editor();
    const mine = await uploadOk(user.id, "mine.csv", "id\n1\n");
    const foreign = await uploadOk(stranger.user.id, "theirs.csv", "id\n1\n");
    const created = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Mine", source: fileSource(mine) } });
    expect(created.status).toBe(201);
    expect(created.body.source.fileId).toBe(mine);

    const patch = (json: unknown) =>
      call(patchJobRoute, { method: "PATCH", path: `/api/v1/jobs/${created.body.id}`, token, params: { id: created.body.id }, json });
    expect(expectProblem(await patch({ source: fileSource(MISSING) }), 422).errors).toEqual(refusal);
    expect(expectProblem(await patch({ source: fileSource(foreign) }), 422).errors).toEqual(refusal);
    const renamed = await patch({ name: "Still mine" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.source.fileId).toBe(mine);
  });
});
