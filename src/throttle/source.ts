import { isIPv4, isIPv6 } from "node:net";

/**
 * The source a request is counted against: its client address (`request.ip`, which is the
 * socket's peer unless PLEDGE_TRUST_PROXY names the proxies in front). An IPv6 client usually holds
 * a whole /64, so IPv6 addresses count by their /64 prefix; IPv4-mapped IPv6 counts as the IPv4.
 */
export function sourceOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
