import { describe, expect, it } from "vitest";
import { sourceOf } from "../../src/throttle/source.ts";

describe("the source a request counts against", () => {
  it("is the IPv4 address itself, mapped or not", () => {
    expect(sourceOf("203.0.113.7")).toBe("203.0.113.7");
    expect(sourceOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("is the /64 of an IPv6 address, however it is written", () => {
    expect(sourceOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(sourceOf("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(sourceOf("2001:DB8::1")).toBe("2001:db8:0:0::/64");
    expect(sourceOf("::1")).toBe("0:0:0:0::/64");
  });
});
