/**
 * The benchmark's data, generated from a fixed seed so every run (and every machine) loads the
 * same bytes: orders as CSV with quoted fields, and nested JSON customers records served in pages.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** mulberry32: a tiny, fast PRNG; deterministic for a given seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ["Lisbon", "Porto", "Zürich", "São Paulo", 'Quote "City"', "Comma, Town"];
export const CSV_HEADER = "id,customer,amount,city,paid,ordered_at";
/** The floor's table for the CSV: the types the job's dataset ends up with. */
export const CSV_TABLE_COLUMNS = "id bigint, customer text, amount double precision, city text, paid boolean, ordered_at timestamptz";

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Orders: integers, decimals, text (some quoted, with commas and doubled quotes), booleans and timestamps. */
export async function writeOrdersCsv(file: string, rows: number, seed = 42): Promise<void> {
  const random = seeded(seed);
  const out = createWriteStream(file);
  let buffer = `${CSV_HEADER}\n`;
  const base = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= rows; i++) {
    const city = CITIES[Math.floor(random() * CITIES.length)]!;
    const customer = random() < 0.05 ? `customer "${i % 9973}", VIP` : `customer ${Math.floor(random() * 9973)}`;
    const amount = Math.round(random() * 1_000_000) / 100;
    const at = new Date(base + Math.floor(random() * 365 * 86_400) * 1000).toISOString();
    buffer += `${i},${csvField(customer)},${amount},${csvField(city)},${random() < 0.5},${at}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
}

export type CustomerRecord = {
  id: number;
  profile: { name: string; email: string; address: { city: string; zip: string } };
  stats: { orders: number; spent: number };
  tags: string[];
  active: boolean;
  created_at: string;
};

/** One page of nested records; page n always holds the same records. */
export function customerPage(page: number, size: number): CustomerRecord[] {
  const random = seeded(1000 + page);
  const records: CustomerRecord[] = [];
  for (let i = 0; i < size; i++) {
    const id = (page - 1) * size + i + 1;
    records.push({
      id,
      profile: {
        name: `Customer ${id}`,
        email: `customer${id}@example.com`,
        address: { city: CITIES[Math.floor(random() * CITIES.length)]!, zip: String(10000 + Math.floor(random() * 89999)) },
      },
      stats: { orders: Math.floor(random() * 200), spent: Math.round(random() * 5_000_000) / 100 },
      tags: random() < 0.5 ? ["new"] : ["returning", "newsletter"],
      active: random() < 0.8,
      created_at: new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 700 * 86_400) * 1000).toISOString(),
    });
  }
  return records;
}

/** The columns `normalize` + `rename` give the JSON records, for the floor's pre-flattened CSV. */
export const CUSTOMER_TABLE_COLUMNS =
  "id bigint, customer text, email text, city text, zip bigint, orders bigint, spent double precision, tags jsonb, active boolean, created_at timestamptz";

/** The JSON records flattened to CSV exactly as the job flattens them: the floor of the HTTP case. */
export async function writeCustomersCsv(file: string, pages: number, size: number): Promise<void> {
  const out = createWriteStream(file);
  out.write("id,customer,email,city,zip,orders,spent,tags,active,created_at\n");
  for (let page = 1; page <= pages; page++) {
    let text = "";
    for (const r of customerPage(page, size)) {
      const { profile: p, stats: s } = r;
      text += `${r.id},${csvField(p.name)},${p.email},${csvField(p.address.city)},${p.address.zip},${s.orders},${s.spent},${csvField(JSON.stringify(r.tags))},${r.active},${r.created_at}\n`;
    }
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
