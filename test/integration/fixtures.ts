/** Three pages of nested order records, as a JSON API would serve them. */
export const orderPages = [
  [
    {
      id: 1,
      name: "Ada",
      amount: 10,
      paid: true,
      created_at: "2024-01-02T03:04:05Z",
      due: "2024-02-01",
      customer: { name: "Ada L", address: { city: "London" } },
      tags: ["vip", "new"],
    },
    {
      id: 2,
      name: "Bob\tTab",
      amount: 20,
      paid: false,
      created_at: "2024-01-03T10:00:00+02:00",
      due: "2024-02-02",
      customer: { name: "Bob", address: { city: "Paris" } },
      tags: [],
    },
  ],
  [
    {
      id: 3,
      name: "Cy\nNewline",
      amount: 12.5,
      paid: null,
      created_at: "2024-01-04 08:30:00",
      due: null,
      customer: { name: "Cy" },
      tags: ["a\u0000b"],
    },
    {
      id: 4,
      name: "Dee \\ backslash",
      amount: 7,
      paid: true,
      created_at: "2024-01-05T00:00:00.123Z",
      due: "2024-02-04",
      customer: { name: "Dee", address: { city: "Berlin" } },
      tags: ["x"],
    },
  ],
  [
    {
      id: 5,
      name: "Eve",
      amount: -1.25,
      paid: false,
      created_at: "2024-01-06T12:00:00Z",
      due: "2024-02-05",
      customer: { name: "Eve", address: { city: "Rome" } },
      tags: null,
      note: "late column",
    },
  ],
];

/** The rows the dataset must hold after loading orderPages with a normalize step (timestamps in UTC). */
export const expectedOrderRows = [
  {
    _row: 1,
    id: 1,
    name: "Ada",
    amount: 10,
    paid: true,
    created_at: "2024-01-02T03:04:05+00:00",
    due: "2024-02-01",
    "customer.name": "Ada L",
    "customer.address.city": "London",
    tags: ["vip", "new"],
    note: null,
  },
  {
    _row: 2,
    id: 2,
    name: "Bob\tTab",
    amount: 20,
    paid: false,
    created_at: "2024-01-03T08:00:00+00:00",
    due: "2024-02-02",
    "customer.name": "Bob",
    "customer.address.city": "Paris",
    tags: [],
    note: null,
  },
  {
    _row: 3,
    id: 3,
    name: "Cy\nNewline",
    amount: 12.5,
    paid: null,
    created_at: "2024-01-04T08:30:00+00:00",
    due: null,
    "customer.name": "Cy",
    "customer.address.city": null,
    // jsonb cannot hold NUL: it is dropped, as in text columns.
    tags: ["ab"],
    note: null,
  },
  {
    _row: 4,
    id: 4,
    name: "Dee \\ backslash",
    amount: 7,
    paid: true,
    created_at: "2024-01-05T00:00:00.123+00:00",
    due: "2024-02-04",
    "customer.name": "Dee",
    "customer.address.city": "Berlin",
    tags: ["x"],
    note: null,
  },
  {
    _row: 5,
    id: 5,
    name: "Eve",
    amount: -1.25,
    paid: false,
    created_at: "2024-01-06T12:00:00+00:00",
    due: "2024-02-05",
    "customer.name": "Eve",
    "customer.address.city": "Rome",
    tags: null,
    note: "late column",
  },
];

export const expectedOrderColumns = [
  { name: "id", type: "integer" },
  { name: "name", type: "string" },
  { name: "amount", type: "number" },
  { name: "paid", type: "boolean" },
  { name: "created_at", type: "timestamp" },
  { name: "due", type: "date" },
  { name: "customer.name", type: "string" },
  { name: "customer.address.city", type: "string" },
  { name: "tags", type: "json" },
  { name: "note", type: "string" },
];

export const expectedOrderPgTypes = {
  _run_id: "uuid",
  _row: "bigint",
  id: "bigint",
  name: "text",
  amount: "double precision",
  paid: "boolean",
  created_at: "timestamp with time zone",
  due: "date",
  "customer.name": "text",
  "customer.address.city": "text",
  tags: "jsonb",
  note: "text",
};

/** A job definition extracting orderPages from a fixture server path. */
export function ordersJob(url: string, retry = { attempts: 3, backoffSeconds: 1 }) {
  return {
    source: {
      type: "http" as const,
      url,
      recordsPath: "data.items",
      pagination: { type: "next_url" as const, nextUrlPath: "links.next" },
    },
    transform: [{ op: "normalize" as const }],
    retry,
  };
}
