import { describe, expect, it } from "vitest";
import { pageEnvelope, pageLinks } from "./pagination";

const url = (query = "") => new URL(`http://localhost:3000/api/v1/jobs${query}`);

describe("pageLinks", () => {
  it("has no links when everything fits on one page", () => {
    expect(pageLinks(url(), 1, 50, 0)).toEqual({ next: null, previous: null });
    expect(pageLinks(url(), 1, 50, 50)).toEqual({ next: null, previous: null });
  });

  it("links the next page on the first page", () => {
    expect(pageLinks(url(), 1, 2, 5)).toEqual({
      next: "http://localhost:3000/api/v1/jobs?page=2&pageSize=2",
      previous: null,
    });
  });

  it("links both ways in the middle, keeping other parameters", () => {
    expect(pageLinks(url("?q=shop&page=2&pageSize=2"), 2, 2, 5)).toEqual({
      next: "http://localhost:3000/api/v1/jobs?q=shop&page=3&pageSize=2",
      previous: "http://localhost:3000/api/v1/jobs?q=shop&page=1&pageSize=2",
    });
  });

  it("has no next link on the last page, even a full one", () => {
    expect(pageLinks(url("?page=3&pageSize=2"), 3, 2, 5).next).toBeNull();
    expect(pageLinks(url("?page=2&pageSize=2"), 2, 2, 4).next).toBeNull();
  });

  it("points previous at the last real page when the page is past the end", () => {
    expect(pageLinks(url("?page=10&pageSize=2"), 10, 2, 5)).toEqual({
      next: null,
      previous: "http://localhost:3000/api/v1/jobs?page=3&pageSize=2",
    });
    expect(pageLinks(url("?page=4"), 4, 50, 0).previous).toBe("http://localhost:3000/api/v1/jobs?page=1&pageSize=50");
  });

  it("drops a cursor from the links", () => {
    expect(pageLinks(url("?cursor=abc&page=1&pageSize=1"), 1, 1, 2).next).toBe(
      "http://localhost:3000/api/v1/jobs?page=2&pageSize=1",
    );
  });

  it("keeps filter parameters, encoded", () => {
    expect(pageLinks(url("?filter[name][contains]=a b"), 1, 1, 2).next).toBe(
      "http://localhost:3000/api/v1/jobs?filter%5Bname%5D%5Bcontains%5D=a+b&page=2&pageSize=1",
    );
  });
});

describe("pageEnvelope", () => {
  it("wraps results in the DRF-style envelope", () => {
    expect(pageEnvelope(url(), 1, 1, 2, [{ id: 1 }])).toEqual({
      count: 2,
      next: "http://localhost:3000/api/v1/jobs?page=2&pageSize=1",
      previous: null,
      results: [{ id: 1 }],
    });
  });
});
