import { describe, expect, it } from "vitest";
import { displayUrl, parseNextLink } from "./http";

describe("parseNextLink (RFC 8288 Link header)", () => {
  it.each<[string | null, string | null]>([
    [null, null],
    ["", null],
    ['<https://api.example.com/items?page=2>; rel="next"', "https://api.example.com/items?page=2"],
    ["<https://api.example.com/items?page=2>; rel=next", "https://api.example.com/items?page=2"],
    ['<https://api.example.com/items?page=2>;rel = "next"', "https://api.example.com/items?page=2"],
    ['<https://a.example/?page=2>; REL="NEXT"', "https://a.example/?page=2"],
    // GitHub style: several links, next not first.
    [
      '<https://api.github.com/repos?page=1>; rel="prev", <https://api.github.com/repos?page=3>; rel="next", <https://api.github.com/repos?page=9>; rel="last"',
      "https://api.github.com/repos?page=3",
    ],
    // A link with several relation types.
    ['<https://a.example/p/3>; rel="last next"', "https://a.example/p/3"],
    ['<https://a.example/p/3>; rel="next last"', "https://a.example/p/3"],
    // Other parameters around rel.
    ['<https://a.example/p/2>; title="Page 2"; rel="next"; type="application/json"', "https://a.example/p/2"],
    // Commas inside a URL do not split links.
    ['<https://a.example/items?ids=1,2,3&page=2>; rel="next"', "https://a.example/items?ids=1,2,3&page=2"],
    // Relative targets are returned as written, resolved by the caller.
    ['</items?page=2>; rel="next"', "/items?page=2"],
    // Not a next link.
    ['<https://a.example/p/1>; rel="prev"', null],
    ['<https://a.example/p/1>; rel="nextpage"', null],
    ['<https://a.example/p/1>; rel="prenext"', null],
    ['<https://a.example/p/1>; title="next"', null],
    ["not a link header", null],
  ])("%s → %s", (header, expected) => {
    expect(parseNextLink(header)).toBe(expected);
  });
});

describe("displayUrl", () => {
  it("drops credentials, query string and fragment", () => {
    expect(displayUrl(new URL("https://user:pw@api.example.com:8443/v1/items?api_key=secret#top"))).toBe(
      "https://api.example.com:8443/v1/items",
    );
  });
});
