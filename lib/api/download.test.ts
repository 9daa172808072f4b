import { describe, expect, it } from "vitest";
import { rowEncoder } from "@/lib/exports/row-encoders";
import { contentDisposition, safeFileStem, streamDownload } from "./download";

describe("contentDisposition", () => {
  it("gives an ASCII name and the exact name in RFC 5987 form", () => {
    expect(contentDisposition("orders.csv")).toBe(`attachment; filename="orders.csv"; filename*=UTF-8''orders.csv`);
    expect(contentDisposition('Café "x".csv')).toBe(`attachment; filename="Caf_ _x_.csv"; filename*=UTF-8''Caf%C3%A9%20%22x%22.csv`);
  });
});

describe("safeFileStem", () => {
  it("keeps letters, digits, dots, dashes and underscores", () => {
    expect(safeFileStem("Shop orders / 2024")).toBe("Shop-orders-2024");
    expect(safeFileStem("Crème brûlée")).toBe("Creme-brulee");
    expect(safeFileStem("../../etc/passwd")).toBe("etc-passwd");
    expect(safeFileStem("!!!")).toBe("export");
    expect(safeFileStem("x".repeat(200))).toHaveLength(80);
  });
});

async function* batches(...list: Record<string, unknown>[][]) {
  yield* list;
}

describe("streamDownload", () => {
  it("streams the header, the first batch and the rest, with download headers", async () => {
    const rows = batches([{ id: 1 }], [{ id: 2 }, { id: 3 }]);
    const first = await rows.next();
    const response = streamDownload(first, rows, rowEncoder("csv", ["id"]), "orders.csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain('filename="orders.csv"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("id\r\n1\r\n2\r\n3\r\n");
  });

  it("reads the next batch only when the client asks for more, and stops the source when the client leaves", async () => {
    let produced = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          produced++;
          yield [{ n: produced }];
        }
      } finally {
        closed = true;
      }
    }
    const rows = endless();
    const response = streamDownload(await rows.next(), rows, rowEncoder("ndjson", ["n"]), "n.ndjson");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('{"n":1}\n');
    expect(decoder.decode((await reader.read()).value)).toBe('{"n":2}\n');
    // A high-water mark of one chunk: at most one batch is read ahead of the client.
    expect(produced).toBeLessThanOrEqual(3);
    await reader.cancel();
    expect(closed).toBe(true);
  });

  it("errors the stream when the source fails midway", async () => {
    async function* failing() {
      yield [{ id: 1 }];
      throw new Error("connection lost");
    }
    const rows = failing();
    const response = streamDownload(await rows.next(), rows, rowEncoder("csv", ["id"]), "x.csv");
    const original = console.error;
    console.error = () => {};
    try {
      await expect(response.text()).rejects.toThrow();
    } finally {
      console.error = original;
    }
  });
});
