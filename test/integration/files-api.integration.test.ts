import { createHash } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import postgres from "postgres";
import { sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { CHUNK_BYTES, pgFileStorage } from "@/lib/files/storage";
import { GET as listRoute, POST as uploadRoute } from "@/app/api/v1/files/route";
import { DELETE as deleteRoute, GET as readRoute } from "@/app/api/v1/files/[id]/route";
import { createMemberOnly, createUser, resetDatabase } from "../db";
import { browserHeaders, readResponse, upload, uploadOk } from "./file-helpers";
import { createJob } from "./jobs";
import { expectWholePool } from "./pool";

const MAX = 3 * 1024 * 1024; // UPLOAD_MAX_BYTES in vitest.config.ts

beforeEach(async () => {
  await resetDatabase();
});

afterAll(async () => {
  await resetDatabase();
});

async function counts() {
  const [row] = await sql<{ files: number; chunks: number }[]>`
    SELECT (SELECT count(*)::int FROM files) AS files, (SELECT count(*)::int FROM file_chunks) AS chunks`;
  return row;
}

/** A multipart body streamed in pieces with no content-length, as a client uploading a large file sends it. */
function streamedUpload(headers: Record<string, string>, size: number) {
  const boundary = "----dfh-test-boundary";
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.csv"\r\ncontent-type: text/csv\r\n\r\nid\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const piece = Buffer.alloc(64 * 1024, "1\n");
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= size) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      controller.enqueue(piece);
      sent += piece.length;
    },
  });
  return new NextRequest("http://localhost:3000/api/v1/files", {
    method: "POST",
    headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: "half",
  } as ConstructorParameters<typeof NextRequest>[1]);
}

const noParams = { params: Promise.resolve({}) };

describe("POST /api/v1/files", () => {
  it("stores a file in 1 MiB chunks and reads it back byte for byte", async () => {
    const { user, workspace } = await createUser();
    const content = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    const res = await upload(user.id, "../../etc/export.csv", content);
    expect(res.status).toBe(201);
    const sha256 = createHash("sha256").update(content).digest("hex");
    expect(res.body).toEqual({
      id: expect.any(String),
      workspaceId: workspace.id,
      name: "export.csv",
      size: content.length,
      format: "csv",
      sha256,
      createdAt: expect.any(String),
    });
    expect(await counts()).toEqual({ files: 1, chunks: 3 });
    const read: Buffer[] = [];
    for await (const chunk of pgFileStorage(sql).get(res.body.id)) read.push(chunk as Buffer);
    expect(Buffer.concat(read).equals(content)).toBe(true);
  });

  // Chunks come back through COPY … TO STDOUT. One that arrives whole before it is read (a small
  // file) once left its connection paused, and the next query on it waited forever.
  it("reads a small file back and leaves the connection usable", async () => {
    const { user } = await createUser();
    const content = Buffer.alloc(30 * 1024, "a,b\n");
    const id = await uploadOk(user.id, "small.csv", content);
    const one = postgres(env.DATABASE_URL, { max: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const read: Buffer[] = [];
        for await (const chunk of pgFileStorage(one as unknown as typeof sql).get(id)) read.push(chunk as Buffer);
        expect(Buffer.concat(read).equals(content)).toBe(true);
      }
      const answer = await Promise.race([one`SELECT 1 AS ok`, new Promise((resolve) => setTimeout(resolve, 5000, "no answer"))]);
      expect(answer).toEqual([{ ok: 1 }]);
    } finally {
      await one.end({ timeout: 1 });
    }
  });

  it("has the next chunk's query running while the reader works on this chunk without pausing", async () => {
    const { user } = await createUser();
    const content = Buffer.alloc(CHUNK_BYTES * 1.5, "a,b\n");
    const id = await uploadOk(user.id, "two-chunks.csv", content);
    const own = postgres(env.DATABASE_URL, { max: 2, connection: { application_name: "chunk-read-ahead" } });
    const chunks = pgFileStorage(own as unknown as typeof sql).get(id)[Symbol.asyncIterator]();
    try {
      expect(((await chunks.next()).value as Buffer).length).toBe(CHUNK_BYTES);
      // A parse that never waits on I/O: the event loop does not turn until it ends.
      const busyUntil = Date.now() + 300;
      while (Date.now() < busyUntil);
      expect(((await chunks.next()).value as Buffer).length).toBe(content.length - CHUNK_BYTES);
      expect((await chunks.next()).done).toBe(true);
      // On PostgreSQL's clock alone: the second chunk's query started before the 300 ms of work.
      const started = await sql<{ agoMs: number }[]>`
        SELECT extract(epoch FROM clock_timestamp() - query_start)::float8 * 1000 AS "agoMs" FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'chunk-read-ahead'
          AND query LIKE ${`%file_id = '${id}' AND seq = 1)%`}`;
      expect(started).toHaveLength(1);
      expect(started[0]!.agoMs).toBeGreaterThan(250);
    } finally {
      await chunks.return?.();
      await own.end({ timeout: 1 });
    }
  });

  // A run reads its file on a pool it shares with its load and bookkeeping; a query queued behind
  // a chunk's COPY on a busy pool failed with COPY_IN_PROGRESS.
  it("reads a file while other queries keep every connection of a small pool busy", async () => {
    const { user } = await createUser();
    const content = Buffer.alloc(3 * 1024 * 1024 - 3, "x,y\n");
    const id = await uploadOk(user.id, "busy.csv", content);
    const two = postgres(env.DATABASE_URL, { max: 2 });
    const deadline = Date.now() + 20_000;
    let reading = true;
    const failures: unknown[] = [];
    // Four queries in flight at all times until the file is read: each answer sends the next.
    const keepBusy = async () => {
      while (reading && Date.now() < deadline) await two`SELECT 1`.catch((error: unknown) => failures.push(error));
    };
    try {
      const busy = Array.from({ length: 4 }, keepBusy);
      const read: Buffer[] = [];
      for await (const chunk of pgFileStorage(two as unknown as typeof sql).get(id)) read.push(chunk as Buffer);
      reading = false;
      await Promise.all(busy);
      expect(Buffer.concat(read).equals(content)).toBe(true);
      expect(failures).toEqual([]);
      // Every chunk's connection was handed back.
      await expectWholePool(two, 2);
    } finally {
      reading = false;
      await two.end({ timeout: 1 });
    }
  });

  it("detects the format from the name, else from the content, and refuses what it cannot read", async () => {
    const { user } = await createUser();
    const format = async (name: string, content: string | Buffer) => {
      const res = await upload(user.id, name, content);
      return res.status === 201 ? res.body.format : `${res.status}: ${res.body.detail}`;
    };
    expect(await format("data.tsv", "a\tb\n")).toBe("csv");
    expect(await format("events.jsonl", '{"a":1}\n')).toBe("ndjson");
    expect(await format("export", '{"a":1}\n{"a":2}\n')).toBe("ndjson");
    expect(await format("export", '{"data": [1]}')).toBe("json");
    expect(await format("export", "  [1, 2]")).toBe("json");
    expect(await format("export", "a,b\n1,2\n")).toBe("csv");
    expect(await format("sheet", Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toBe("xlsx");
    expect(await format("old.xls", "x")).toBe("415: Legacy .xls workbooks are not supported; save the file as .xlsx.");
    expect(await format("fake.xlsx", "a,b")).toBe('415: "fake.xlsx" is named like an Excel workbook but is not one (.xlsx files are zip archives).');
    expect(await format("empty.csv", "")).toBe('422: "empty.csv" is empty.');
    expect(await counts()).toMatchObject({ files: 7 });
  });

  it("answers 413 while streaming past UPLOAD_MAX_BYTES, storing nothing", async () => {
    const { user } = await createUser();
    const res = await readResponse(await uploadRoute(streamedUpload(await browserHeaders(user.id), MAX + 512 * 1024), noParams));
    expect(res.status).toBe(413);
    expect(res.type).toBe("application/problem+json");
    expect(res.body.detail).toBe(`The file is larger than the upload limit of ${MAX} bytes (UPLOAD_MAX_BYTES).`);
    expect(await counts()).toEqual({ files: 0, chunks: 0 });

    // Just under the limit is fine.
    const ok = await readResponse(await uploadRoute(streamedUpload(await browserHeaders(user.id), MAX - 1024 * 1024), noParams));
    expect(ok.status).toBe(201);
  });

  it("answers 413 at once when the declared length is over the limit", async () => {
    const { user } = await createUser();
    const req = new NextRequest("http://localhost:3000/api/v1/files", {
      method: "POST",
      headers: { ...(await browserHeaders(user.id)), "content-type": "multipart/form-data; boundary=x", "content-length": String(MAX * 2) },
      body: "--x--",
    });
    expect((await readResponse(await uploadRoute(req, noParams))).status).toBe(413);
  });

  it("answers 415 for a body that is not multipart, and 422 without a file field", async () => {
    const { user } = await createUser();
    const headers = await browserHeaders(user.id);
    const json = await readResponse(
      await uploadRoute(new NextRequest("http://localhost:3000/api/v1/files", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" }), noParams),
    );
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append("other", "x");
    const empty = await readResponse(await uploadRoute(new NextRequest("http://localhost:3000/api/v1/files", { method: "POST", headers, body: form }), noParams));
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual([{ path: "file", message: "required" }]);
  });

  it("lets editors upload, not viewers", async () => {
    const { workspace } = await createUser();
    const viewer = await createMemberOnly("viewer-files", workspace.id, "viewer");
    expect((await upload(viewer.id, "a.csv", "a\n1\n")).status).toBe(403);
    const editor = await createMemberOnly("editor-files", workspace.id, "editor");
    expect((await upload(editor.id, "a.csv", "a\n1\n")).status).toBe(201);
  });
});

describe("GET and DELETE /api/v1/files", () => {
  it("lists a workspace's files newest first, never another workspace's", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const first = await uploadOk(alice.user.id, "first.csv", "a\n1\n");
    const second = await uploadOk(alice.user.id, "second.json", "[]");
    const hidden = await uploadOk(bob.user.id, "bob.csv", "a\n1\n");

    const list = await readResponse(await listRoute(new NextRequest("http://localhost:3000/api/v1/files", { headers: await browserHeaders(alice.user.id) }), noParams));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 2, next: null, previous: null });
    expect(list.body.results.map((f: { id: string }) => f.id)).toEqual([second, first]);

    const other = await readResponse(
      await readRoute(new NextRequest(`http://localhost:3000/api/v1/files/${hidden}`, { headers: await browserHeaders(alice.user.id) }), { params: Promise.resolve({ id: hidden }) }),
    );
    expect(other.status).toBe(404);
  });

  it("deletes a file and its chunks, but not while a job reads from it", async () => {
    const { user, workspace } = await createUser();
    const fileId = await uploadOk(user.id, "stock.csv", "sku\nA\n");
    await createJob({ workspaceId: workspace.id, userId: user.id, name: "Stock", definition: { source: { type: "file", fileId, format: "csv" } } });
    const remove = async (id: string, userId = user.id) =>
      readResponse(
        await deleteRoute(new NextRequest(`http://localhost:3000/api/v1/files/${id}`, { method: "DELETE", headers: await browserHeaders(userId) }), {
          params: Promise.resolve({ id }),
        }),
      );
    const refused = await remove(fileId);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('The file is the source of "Stock"; change or delete those jobs first.');

    const unused = await uploadOk(user.id, "other.csv", "a\n1\n");
    const stranger = await createUser();
    expect((await remove(unused, stranger.user.id)).status).toBe(404);
    expect((await remove(unused)).status).toBe(204);
    expect(await counts()).toEqual({ files: 1, chunks: 1 });
  });
});
