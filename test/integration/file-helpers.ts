import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { updateJob } from "@/lib/db/queries/jobs";
import { jobs } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { POST as uploadRoute } from "@/app/api/v1/files/route";
import { POST as triggerRunRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { call } from "../api";
import { waitForRun } from "../worker";

const ORIGIN = "http://localhost:3000";

/** Headers of a signed-in browser on our own origin: a real next-auth session cookie. */
export async function browserHeaders(userId: string): Promise<Record<string, string>> {
  const jwt = await encode({ token: { sub: userId }, secret: env.NEXTAUTH_SECRET });
  return { cookie: `next-auth.session-token=${jwt}`, origin: ORIGIN, host: "localhost:3000" };
}

export async function readResponse(res: Response) {
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text };
}

/** Uploads through POST /api/v1/files exactly as a browser form would (multipart/form-data). */
export async function upload(userId: string, name: string, content: string | Uint8Array, query = "") {
  const form = new FormData();
  form.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), name);
  const req = new NextRequest(new URL(`/api/v1/files${query}`, ORIGIN), { method: "POST", body: form, headers: await browserHeaders(userId) });
  return readResponse(await uploadRoute(req, { params: Promise.resolve({}) }));
}

export async function uploadOk(userId: string, name: string, content: string | Uint8Array): Promise<string> {
  const res = await upload(userId, name, content);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/**
 * Uploads a file, saves a job that replaces its dataset with the file's rows and runs it, all
 * through the API and a worker: the job's and the successful run's ids.
 */
export async function loadFileThroughApi(
  userId: string,
  token: string,
  file: { name: string; content: string; format: "csv" | "ndjson" },
  jobName: string,
): Promise<{ jobId: string; runId: string }> {
  const fileId = await uploadOk(userId, file.name, file.content);
  const source = { type: "file", fileId, format: file.format };
  const job = await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: { name: jobName, source, destination: { type: "dataset", mode: "replace" } } });
  if (job.status !== 201) throw new Error(`creating the job answered ${job.status}: ${JSON.stringify(job.body)}`);
  const triggered = await call(triggerRunRoute, { method: "POST", path: "/", params: { id: job.body.id }, token });
  const run = await waitForRun(triggered.body.id, 60_000);
  if (run.status !== "success") throw new Error(`run ${run.id} ended ${run.status}: ${run.errorMessage}`);
  return { jobId: job.body.id as string, runId: run.id };
}

/** Points an existing job at another source, as PATCH /api/v1/jobs/{id} would. */
export async function setJobSource(jobId: string, source: unknown) {
  const [job] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  const definition = jobDefinitionSchema.parse({ ...job!.definition, source });
  return (await updateJob(db, jobId, { definition }))!;
}
