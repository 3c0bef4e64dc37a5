let last = 0n;

/**
 * Wall-clock nanoseconds as the decimal string gNMI's int64 timestamp needs.
 * Strictly increasing, so two notifications never share a timestamp.
 */
export function nowNs(): string {
  let now = BigInt(Date.now()) * 1_000_000n;
  if (now <= last) now = last + 1n;
  last = now;
  return now.toString();
}
