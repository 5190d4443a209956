/**
 * Strict base64url decoding (no padding, no other characters) of a range of a string into a
 * buffer. For the short texts of sealed fields a JS loop beats a call into Buffer's native
 * decoder, whose fixed cost is most of the time; and a stray character is refused, not skipped.
 */
const VALUES = new Int8Array(128).fill(-1);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
for (let i = 0; i < ALPHABET.length; i += 1) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Decodes text[start, end) into target at offset; returns the byte count, or -1 if not base64url. */
export function decodeBase64UrlInto(
  text: string,
  start: number,
  end: number,
  target: Buffer,
  offset: number,
): number {
  const length = end - start;
  if (length % 4 === 1) return -1;
  const bytes = Math.floor((length * 3) / 4);
  if (offset + bytes > target.length) return -1;
  let out = offset;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const n =
      (sextet(text, i) << 18) |
      (sextet(text, i + 1) << 12) |
      (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    if (n < 0) return -1;
    target[out] = n >> 16;
    target[out + 1] = (n >> 8) & 0xff;
    target[out + 2] = n & 0xff;
    out += 3;
  }
  const rest = end - i;
  if (rest === 2 || rest === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = rest === 3 ? sextet(text, i + 2) : 0;
    if ((a | b | c) < 0) return -1;
    target[out] = (a << 2) | (b >> 4);
    out += 1;
    if (rest === 3) {
      target[out] = ((b & 0x0f) << 4) | (c >> 2);
      out += 1;
    }
  }
  return out - offset;
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? (VALUES[code] as number) : -1;
}
