/** Where a command writes: what it produced (`out`) and what went wrong (`err`), a line per call. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}
