import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP arithmetic for IPNetwork attributes, answering as Python's ipaddress
 * module (which Infrahub uses) answers: canonical text, host bits refused,
 * masks and broadcast addresses.
 */

/** The canonical text of an IPv6 address: lower case, the longest zero run compressed. */
function compressIpv6(address: string): string {
  // The URL parser applies RFC 5952, the rules Python's ipaddress follows.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function addressBits(address: string, v4: boolean): bigint {
  if (v4) return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  const [head, tail] = compressIpv6(address).split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const known = [...groups(head), ...groups(tail)];
  const all = tail === undefined ? known : [...groups(head), ...Array<string>(8 - known.length).fill('0'), ...groups(tail)];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function addressText(bits: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return compressIpv6(groups.join(':'));
}

/**
 * `10.1.0.0/16` as Infrahub stores an IPNetwork (`ip_network(value).with_prefixlen`):
 * host bits refused (`10.1.0.1/16`), a bare address taken as a host route.
 */
export function normalizeIpNetwork(text: string): string | undefined {
  const [address, length, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return undefined;
  const width = v4 ? 32 : 128;
  if (length !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(length)) return undefined;
  const prefix = length === undefined ? width : Number(length);
  if (prefix > width) return undefined;
  const hostBits = (1n << BigInt(width - prefix)) - 1n;
  if ((addressBits(address, v4) & hostBits) !== 0n) return undefined;
  return `${v4 ? address : compressIpv6(address)}/${prefix}`;
}

export interface NetworkFacts {
  version: 4 | 6;
  prefixlen: number;
  netmask: string;
  hostmask: string;
  broadcastAddress: string;
  /** Undefined past JavaScript's safe integers (large IPv6 networks). */
  numAddresses?: number;
  withNetmask: string;
  withHostmask: string;
}

/** What Python's ip_network tells about a stored (normalised) network. */
export function networkFacts(value: string): NetworkFacts | undefined {
  const [address, length] = value.split('/');
  if (address === undefined || length === undefined) return undefined;
  const v4 = isIPv4(address);
  const width = v4 ? 32 : 128;
  const prefixlen = Number(length);
  const all = (1n << BigInt(width)) - 1n;
  const host = (1n << BigInt(width - prefixlen)) - 1n;
  const mask = all ^ host;
  const network = addressBits(address, v4);
  const count = host + 1n;
  const netmask = addressText(mask, v4);
  const hostmask = addressText(host, v4);
  return {
    version: v4 ? 4 : 6,
    prefixlen,
    netmask,
    hostmask,
    broadcastAddress: addressText(network | host, v4),
    numAddresses: count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(count) : undefined,
    withNetmask: `${address}/${netmask}`,
    withHostmask: `${address}/${hostmask}`,
  };
}
