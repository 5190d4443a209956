import { describe, expect, it } from "vitest";
import {
  productViewOf,
  recommend,
  type OwnOrder,
  type SeenView,
} from "../../src/modules/recommendations/recommendations.ts";

/** The recommender's rules (src/modules/recommendations/recommendations.ts), one table each. */
const at = (minute: number) => new Date(Date.UTC(2018, 5, 1, 12, minute));
const seen = (product: string, minute: number): SeenView => ({
  site: "shop.example",
  path: `/p/${product.toLowerCase()}`,
  product,
  at: at(minute),
});
const order = (skus: readonly string[], cancelled = false): OwnOrder => ({
  cancelled,
  items: skus.map((sku) => ({ sku })),
});
const products = (views: SeenView[], orders: OwnOrder[], limit = 10) =>
  recommend(views, orders, limit).map((r) => `${r.reason}:${r.product}`);

describe("recommend", () => {
  it("rule 1: viewed and not ordered, most recent first, then most viewed, then by id", () => {
    const views = [seen("A", 1), seen("B", 2), seen("C", 2), seen("C", 0), seen("D", 3)];
    expect(products(views, [order(["D"])])).toEqual(["viewed:C", "viewed:B", "viewed:A"]);
  });

  it("rule 1: a product of a cancelled order counts as not ordered", () => {
    expect(products([seen("A", 1)], [order(["A"], true)])).toEqual(["viewed:A"]);
  });

  it("rule 2: bought together with a viewed product in the customer's own orders, by how many orders held both", () => {
    const orders = [order(["P", "T"]), order(["T", "X", "X"]), order(["T", "X"]), order(["T", "Y"], true)];
    const recs = recommend([seen("T", 1)], orders, 10);
    expect(recs).toEqual([
      { product: "X", reason: "bought_with", boughtWith: "T", orders: 2, description: null },
      { product: "P", reason: "bought_with", boughtWith: "T", orders: 1, description: null },
    ]);
  });

  it("rule 2: a product already listed is not repeated (the most recently viewed product names it); the limit cuts the list", () => {
    const views = [seen("T1", 2), seen("T2", 1)];
    const orders = [order(["T1", "B"]), order(["T2", "B"]), order(["T2", "C"])];
    const recs = recommend(views, orders, 10);
    expect(recs.map((r) => [r.product, r.reason === "bought_with" ? r.boughtWith : null])).toEqual([
      ["B", "T1"],
      ["C", "T2"],
    ]);
    expect(products(views, orders, 1)).toEqual(["bought_with:B"]);
  });

  it("nothing viewed: nothing recommended, whatever was ordered", () => {
    expect(recommend([], [order(["A", "B"])], 10)).toEqual([]);
  });
});

describe("productViewOf", () => {
  it("keeps the host and path, never the query string or fragment; refuses what is not a web page", () => {
    expect(productViewOf("https://shop.example/p/a?email=x@example.com#top", "A")).toEqual({
      site: "shop.example",
      path: "/p/a",
      product: "A",
    });
    expect(productViewOf("javascript:alert(1)", "A")).toBeNull();
    expect(productViewOf("not a url", "A")).toBeNull();
  });
});
