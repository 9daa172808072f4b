/** A small orders file for the CSV-upload specs, and the rows a job over it should load. */
export type Order = { id: number; customer: string; city: string; amount: number; paid: boolean };

const CITIES = ["Oslo", "Lima", "Pune"] as const;

export const orders: Order[] = Array.from({ length: 24 }, (_, i) => {
  const id = i + 1;
  // Distinct amounts, a few of them not positive, in an order unlike the ids'.
  return { id, customer: `Customer ${String(id).padStart(2, "0")}`, city: CITIES[i % 3]!, amount: ((id * 7) % 25) - 4, paid: id % 2 === 0 };
});

export const ordersCsv = ["id,customer,city,amount,paid", ...orders.map((o) => `${o.id},${o.customer},${o.city},${o.amount},${o.paid}`)].join("\n") + "\n";
