import { isIPv4, isIPv6 } from 'node:net';

/** IPv4 helpers for address validation and the /31 link matching of BGP sessions. */

export function ipv4ToNumber(address: string): number | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Ipv4Prefix {
  address: string;
  length: number;
  /** Network address as a number. */
  network: number;
}

export function parseIpv4Prefix(text: string): Ipv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const value = ipv4ToNumber(address);
  if (value === undefined || length > 32) return undefined;
  return { address, length, network: networkOf(value, length) };
}

function networkOf(value: number, length: number): number {
  const size = 2 ** (32 - length);
  return value - (value % size);
}

export function inSubnet(address: string, prefix: Ipv4Prefix): boolean {
  const value = ipv4ToNumber(address);
  return value !== undefined && networkOf(value, prefix.length) === prefix.network;
}

/** A route prefix: valid address, valid length, no host bits set. */
export function isNetworkPrefix(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return false;
  const length = Number(lengthText);
  if (isIPv4(address)) {
    const parsed = parseIpv4Prefix(text);
    return parsed !== undefined && parsed.network === ipv4ToNumber(address);
  }
  if (isIPv6(address)) return length <= 128;
  return false;
}

export function isIpAddress(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}
