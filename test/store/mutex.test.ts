import { describe, expect, it } from "vitest";
import { Mutex } from "../../src/store/mutex.ts";

describe("Mutex", () => {
  it("serves holders one at a time, in the order they asked", async () => {
    const mutex = new Mutex();
    const trace: string[] = [];
    const hold = async (name: string, ms: number) => {
      const release = await mutex.acquire();
      trace.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      trace.push(`${name}-`);
      release();
    };
    await Promise.all([hold("a", 15), hold("b", 1), hold("c", 5)]);
    expect(trace).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("ignores a second release", async () => {
    const mutex = new Mutex();
    const first = await mutex.acquire();
    first();
    first();
    const second = await mutex.acquire();
    let thirdIn = false;
    const third = mutex.acquire().then((r) => {
      thirdIn = true;
      r();
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(thirdIn).toBe(false);
    second();
    await third;
    expect(thirdIn).toBe(true);
  });
});
