import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { apiTokenCreatedSchema, apiTokenSchema, tokenCreateSchema, tokenCreateWithPasswordSchema } from "@/lib/schemas/auth";
import { idParamsSchema, pageEnvelopeSchema, pageQuerySchema, problemSchema } from "@/lib/schemas/common";
import {
  connectionCreateSchema,
  connectionListQuerySchema,
  connectionSchema,
  connectionTestResultSchema,
  connectionTestSchema,
  connectionUpdateSchema,
} from "@/lib/schemas/connections";
import { incrementalStateSchema } from "@/lib/schemas/incremental";
import { fileListQuerySchema, fileSchema, fileUploadQuerySchema } from "@/lib/schemas/files";
import { jobCreateSchema, jobSchema, jobUpdateSchema } from "@/lib/schemas/jobs";
import { previewRequestSchema, previewSchema } from "@/lib/schemas/preview";
import { profileQuerySchema, resultsProfileSchema, resultsQuerySchema } from "@/lib/schemas/results";
import { statsQuerySchema, statsSchema } from "@/lib/schemas/stats";
import { jobListQuerySchema } from "@/lib/schemas/job-list";
import { idempotencyKeySchema } from "@/lib/schemas/run-control";
import { runListQuerySchema, runLogQuerySchema, runLogSchema, runSchema } from "@/lib/schemas/runs";
import { applyConventions } from "./conventions";
import { registerTeamPaths } from "./teams";

// registry.register() names a schema through `.openapi()`, which this adds to zod schemas created from
// now on. lib/schemas builds its schemas at import, earlier, so they are registered as fresh clones.
extendZodWithOpenApi(z);

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(serverUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A personal API token from POST /api/v1/auth/token",
  });
  registry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "next-auth.session-token",
  });

  const register = <T extends z.ZodType>(name: string, schema: T): T => registry.register(name, schema.clone() as T);
  const Problem = register("Problem", problemSchema);
  const Job = register("Job", jobSchema);
  const Run = register("Run", runSchema);
  const RunLog = register("RunLog", runLogSchema);
  const JobCreate = register("JobCreate", jobCreateSchema);
  const JobUpdate = register("JobUpdate", jobUpdateSchema);
  const ApiToken = register("ApiToken", apiTokenSchema);
  const ApiTokenCreated = register("ApiTokenCreated", apiTokenCreatedSchema);
  const row = z.record(z.string(), z.unknown());
  const resultsPage = pageEnvelopeSchema(row).extend({
    countExact: z
      .boolean()
      .describe("false when a filtered count passed 10,000 rows and `count` is PostgreSQL's estimate; `next` is exact either way"),
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
  });

  const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: Problem } } });
  const json = (description: string, schema: z.ZodType) => ({ description, content: { "application/json": { schema } } });
  const errors = {
    400: problem("Malformed request"),
    401: problem("No or bad credentials"),
    403: problem("Role too low"),
    404: problem("Missing, or in a workspace you are not a member of"),
    422: problem("Validation failed"),
    429: problem("Throttled: retry after the Retry-After seconds"),
  };
  const secured: Pick<RouteConfig, "security"> = { security: [{ bearerAuth: [] }, { sessionCookie: [] }] };
  const path = (config: RouteConfig) => registry.registerPath({ ...secured, ...config, responses: { ...errors, ...config.responses } });
  const params = idParamsSchema;

  registry.registerPath({
    method: "get",
    path: "/api/health",
    summary: "Health of the app and its dependencies",
    responses: {
      200: json("All dependencies up", z.object({ status: z.string(), db: z.string(), redis: z.string() })),
      503: json("A dependency is down", z.object({ status: z.string(), db: z.string(), redis: z.string() })),
    },
  });
  registry.registerPath({
    ...secured,
    method: "get",
    path: "/api/metrics",
    summary: "Prometheus metrics",
    description:
      "Runs by status, finished runs, run durations (histogram), rows loaded, queue depth and worker count, in the Prometheus text format. For the METRICS_TOKEN bearer token or an instance admin.",
    responses: {
      200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
      401: problem("No or bad credentials"),
      403: problem("Not an instance admin"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/auth/token",
    summary: "Create a personal API token with email and password",
    request: { body: { content: { "application/json": { schema: tokenCreateWithPasswordSchema } } } },
    responses: {
      201: json("The token, shown once", ApiTokenCreated),
      401: problem("Wrong email or password"),
      422: problem("Validation failed"),
      429: problem("Too many attempts from this address or for this email: retry after Retry-After seconds"),
      503: problem("The rate limiter cannot reach Redis: sign-in fails closed"),
    },
  });
  path({ method: "get", path: "/api/v1/tokens", summary: "List your API tokens", responses: { 200: json("Tokens", pageEnvelopeSchema(ApiToken)) } });
  path({
    method: "post",
    path: "/api/v1/tokens",
    summary: "Create an API token",
    request: { body: { content: { "application/json": { schema: tokenCreateSchema } } } },
    responses: { 201: json("The token, shown once", ApiTokenCreated) },
  });
  path({ method: "delete", path: "/api/v1/tokens/{id}", summary: "Revoke an API token", request: { params }, responses: { 204: { description: "Revoked" } } });

  path({
    method: "get",
    path: "/api/v1/jobs",
    summary: "List jobs",
    request: { query: pageQuerySchema.extend(jobListQuerySchema.shape) },
    responses: { 200: json("A page of jobs", pageEnvelopeSchema(Job)) },
  });
  path({
    method: "post",
    path: "/api/v1/jobs",
    summary: "Create a job",
    request: { body: { content: { "application/json": { schema: JobCreate } } } },
    responses: { 201: json("The job", Job), 409: problem("A job with this name exists in the workspace") },
  });
  path({ method: "get", path: "/api/v1/jobs/{id}", summary: "Read a job", request: { params }, responses: { 200: json("The job", Job) } });
  path({
    method: "patch",
    path: "/api/v1/jobs/{id}",
    summary: "Update a job",
    request: { params, body: { content: { "application/json": { schema: JobUpdate } } } },
    responses: { 200: json("The job", Job), 409: problem("Name taken") },
  });
  path({
    method: "delete",
    path: "/api/v1/jobs/{id}",
    summary: "Delete a job, its runs and dataset",
    description:
      "Refused while a run of the job is pending or running: cancel it first (POST /api/v1/runs/{id}/cancel). Right after a cancel, its worker may take a few seconds to stop; until then the answer is 409 with Retry-After.",
    request: { params },
    responses: {
      204: { description: "Deleted" },
      409: problem("A run of the job is pending or running, or its worker is still stopping it"),
      503: problem("Queue unavailable"),
    },
  });
  path({
    method: "post",
    path: "/api/v1/jobs/{id}/runs",
    summary: "Trigger a run",
    description:
      "Starts a run with the job's definition as it is now. With an Idempotency-Key, repeating the request (a client retry after a timeout) answers the run the first request started, with the header Idempotent-Replayed: true, instead of starting another.",
    request: { params, headers: z.object({ "Idempotency-Key": idempotencyKeySchema.optional() }) },
    responses: {
      202: {
        ...json("The pending run (or, replayed, the run this Idempotency-Key started)", Run),
        headers: {
          Location: { description: "The run's URL", schema: { type: "string" } },
          "Idempotent-Replayed": { description: "true when the answer is the run an earlier request with the same key started", schema: { type: "string" } },
        },
      },
      409: problem('A run of the job is pending or running and its overlap policy is "skip"'),
      503: problem("Queue unavailable"),
    },
  });
  path({
    method: "get",
    path: "/api/v1/jobs/{id}/runs",
    summary: "List a job's runs",
    request: { params, query: pageQuerySchema },
    responses: { 200: json("A page of runs", pageEnvelopeSchema(Run)) },
  });
  // filter[col]=v and filter[col][gt|gte|lt|lte|ne|contains]=v are open-ended parameter names, described in words.
  const rowsDescription =
    "Filter with filter[col]=v or filter[col][gt|gte|lt|lte|ne|contains]=v (values cast to the column's type; 422 when one does not fit, naming it where it can be checked before the query). " +
    "format=csv or format=ndjson streams every matching row, sorted, as a download (Content-Disposition: attachment).";
  const rowsOrDownload = (what: string) => ({
    description: what,
    content: {
      "application/json": { schema: resultsPage },
      "text/csv": { schema: z.string().describe("A header row, then one CRLF-terminated line per row (RFC 4180)") },
      "application/x-ndjson": { schema: z.string().describe("One JSON object per line, every column present") },
    },
  });
  const ResultsProfile = register("ResultsProfile", resultsProfileSchema);
  path({
    method: "get",
    path: "/api/v1/jobs/{id}/data",
    summary: "The job's current dataset",
    description: rowsDescription,
    request: { params, query: resultsQuerySchema },
    responses: { 200: rowsOrDownload("A page of rows, or with format=csv|ndjson every matching row") },
  });
  path({
    method: "get",
    path: "/api/v1/jobs/{id}/data/profile",
    summary: "Per-column statistics of the job's dataset: nulls, distinct values, min and max, histograms, top values",
    description: "Takes q and filter[…] like the rows, and profiles the rows that match.",
    request: { params, query: profileQuerySchema },
    responses: { 200: json("The profile", ResultsProfile) },
  });
  path({
    method: "post",
    path: "/api/v1/preview",
    summary: "Preview a job on a sample: the source's records and each step's output, nothing loaded",
    request: { body: { content: { "application/json": { schema: register("PreviewRequest", previewRequestSchema) } } } },
    responses: { 200: json("The sample after the source and after each step; a failure is part of the answer", register("Preview", previewSchema)) },
  });
  path({
    method: "get",
    path: "/api/v1/runs",
    summary: "List runs, newest first",
    request: { query: pageQuerySchema.extend(runListQuerySchema.shape) },
    responses: { 200: json("A page of runs", pageEnvelopeSchema(Run)) },
  });
  path({ method: "get", path: "/api/v1/runs/{id}", summary: "Read a run", request: { params }, responses: { 200: json("The run", Run) } });
  path({
    method: "post",
    path: "/api/v1/runs/{id}/cancel",
    summary: "Cancel a pending or running run",
    request: { params },
    responses: { 200: json("The cancelled run", Run), 409: problem("The run has finished") },
  });
  path({
    method: "get",
    path: "/api/v1/runs/{id}/logs",
    summary: "The run's log lines",
    request: { params, query: pageQuerySchema.extend(runLogQuerySchema.shape) },
    responses: { 200: json("A page of log lines", pageEnvelopeSchema(RunLog)) },
  });
  path({
    method: "get",
    path: "/api/v1/runs/{id}/results",
    summary: "The rows the run loaded",
    description: rowsDescription,
    request: { params, query: resultsQuerySchema },
    responses: { 200: rowsOrDownload("A page of rows, or with format=csv|ndjson every matching row") },
  });
  path({
    method: "get",
    path: "/api/v1/runs/{id}/results/profile",
    summary: "Per-column statistics of the rows the run loaded",
    description: "Takes q and filter[…] like the results, and profiles the rows that match.",
    request: { params, query: profileQuerySchema },
    responses: { 200: json("The profile", ResultsProfile) },
  });
  path({
    method: "get",
    path: "/api/v1/stats",
    summary: "Recent activity for the home dashboard: runs by status, a timeline, and the jobs that ran, failing ones first",
    request: { query: statsQuerySchema },
    responses: { 200: json("The window's numbers", register("Stats", statsSchema)) },
  });

  const UploadedFile = register("File", fileSchema);
  path({
    method: "get",
    path: "/api/v1/files",
    summary: "List uploaded files, newest first",
    request: { query: pageQuerySchema.extend(fileListQuerySchema.shape) },
    responses: { 200: json("A page of files", pageEnvelopeSchema(UploadedFile)) },
  });
  path({
    method: "post",
    path: "/api/v1/files",
    summary: "Upload a CSV, .xlsx, JSON or NDJSON file for file sources (streamed; size limit UPLOAD_MAX_BYTES)",
    request: {
      query: fileUploadQuerySchema,
      body: {
        content: {
          "multipart/form-data": {
            schema: z.object({ file: z.string().openapi({ format: "binary", description: "The file; its name's extension helps detect the format" }) }),
          },
        },
      },
    },
    responses: {
      201: json("The stored file", UploadedFile),
      413: problem("Larger than UPLOAD_MAX_BYTES"),
      415: problem("Not multipart/form-data, or a format that cannot be read"),
    },
  });
  path({ method: "get", path: "/api/v1/files/{id}", summary: "Read an uploaded file's metadata", request: { params }, responses: { 200: json("The file", UploadedFile) } });
  path({
    method: "delete",
    path: "/api/v1/files/{id}",
    summary: "Delete an uploaded file no job reads from",
    request: { params },
    responses: { 204: { description: "Deleted" }, 409: problem("Jobs still read from the file") },
  });

  path({
    method: "get",
    path: "/api/v1/jobs/{id}/incremental",
    summary: "How far an incremental database source has read",
    request: { params },
    responses: { 200: json("The highest value loaded so far", register("IncrementalState", incrementalStateSchema)) },
  });
  path({
    method: "delete",
    path: "/api/v1/jobs/{id}/incremental",
    summary: "Reset an incremental job: its next run reads every row again",
    request: { params },
    responses: { 204: { description: "Reset" } },
  });
  const Connection = register("Connection", connectionSchema);
  path({
    method: "get",
    path: "/api/v1/connections",
    summary: "List saved connections (secrets masked)",
    request: { query: pageQuerySchema.extend(connectionListQuerySchema.shape) },
    responses: { 200: json("A page of connections", pageEnvelopeSchema(Connection)) },
  });
  path({
    method: "post",
    path: "/api/v1/connections",
    summary: "Save a connection; its secret is stored encrypted and never returned",
    request: { body: { content: { "application/json": { schema: register("ConnectionCreate", connectionCreateSchema) } } } },
    responses: { 201: json("The connection", Connection), 409: problem("A connection with this name exists in the workspace") },
  });
  path({ method: "get", path: "/api/v1/connections/{id}", summary: "Read a connection", request: { params }, responses: { 200: json("The connection", Connection) } });
  path({
    method: "patch",
    path: "/api/v1/connections/{id}",
    summary: "Update a connection; a masked or missing secret keeps the stored one",
    request: { params, body: { content: { "application/json": { schema: register("ConnectionUpdate", connectionUpdateSchema) } } } },
    responses: { 200: json("The connection", Connection), 409: problem("Name taken") },
  });
  path({
    method: "delete",
    path: "/api/v1/connections/{id}",
    summary: "Delete a connection no job uses",
    request: { params },
    responses: { 204: { description: "Deleted" }, 409: problem("Jobs still use the connection") },
  });
  path({
    method: "post",
    path: "/api/v1/connections/{id}/test",
    summary: "Connect with the saved credentials and report the outcome",
    request: { params, body: { required: false, content: { "application/json": { schema: connectionTestSchema } } } },
    responses: { 200: json("Whether it worked, with the server's version or the driver's error", connectionTestResultSchema) },
  });

  registerTeamPaths({ path, register, json, problem });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "DataFlowHub API",
      version: "1.0.0",
      description: "Define ETL jobs, run them, and browse what they loaded.",
    },
    servers: [{ url: serverUrl }],
  });
  return applyConventions(document);
}
