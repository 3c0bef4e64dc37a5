/**
 * SR Linux interface names the lab may cable. The device simulator accepts
 * slot and port 1..255 (wider than any one chassis, so big fabrics fit), and
 * so does the lab; names like `eth1` or `loopback0` are refused as a real
 * SR Linux would refuse them.
 */
const ETHERNET = /^ethernet-([1-9][0-9]{0,2})\/([1-9][0-9]{0,2})$/;

export const MAX_SLOT = 255;
export const MAX_PORT = 255;

/** SR Linux's loopback for the router id and BGP: subinterface 0 of `system0`. */
export const LOOPBACK_INTERFACE = 'system0';

export function isEthernetName(name: string): boolean {
  const match = ETHERNET.exec(name);
  return match !== null && Number(match[1]) <= MAX_SLOT && Number(match[2]) <= MAX_PORT;
}

export function ethernetName(slot: number, port: number): string {
  const name = `ethernet-${slot}/${port}`;
  if (!isEthernetName(name)) throw new RangeError(`no such SR Linux port: slot ${slot}, port ${port} (both 1..255)`);
  return name;
}
