import { isIPv4 } from 'node:net';

/** IPv4 arithmetic for address plans: link /31s, loopback /32s, overlap checks. */

export function ipv4ToNumber(address: string): number {
  if (!isIPv4(address)) throw new RangeError(`not an IPv4 address: "${address}"`);
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIpv4(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`IPv4 value out of range: ${value}`);
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Ipv4Interface {
  /** Host address without the length, e.g. `10.0.0.1`. */
  address: string;
  length: number;
  /** Network address as a number. */
  network: number;
  /** Host address as a number. */
  value: number;
}

/** `10.0.0.1/31` -> its parts; undefined when it is not an IPv4 address with a length. */
export function parseIpv4Interface(text: string): Ipv4Interface | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (!isIPv4(address) || !/^(0|[1-9][0-9]?)$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  const value = ipv4ToNumber(address);
  const size = 2 ** (32 - length);
  return { address, length, value, network: value - (value % size) };
}

/** The address part of `10.0.0.1/31`. */
export function hostAddress(prefixed: string): string {
  const parsed = parseIpv4Interface(prefixed);
  if (!parsed) throw new RangeError(`not an IPv4 address with a prefix length: "${prefixed}"`);
  return parsed.address;
}
