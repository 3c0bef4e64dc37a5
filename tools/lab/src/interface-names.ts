/**
 * SR Linux interface names the lab may cable: `ethernet-<slot>/<port>` with
 * slot 1..99 and port 1..128, the ranges of srl_nokia-common's interface
 * name pattern (libs/device-config/SRLINUX-MODEL.md). Names like `eth1`,
 * `loopback0` or `ethernet-1/200` are refused as a real SR Linux refuses them.
 */
const ETHERNET = /^ethernet-([1-9][0-9]?)\/([1-9][0-9]{0,2})$/;

export const MAX_SLOT = 99;
export const MAX_PORT = 128;

/** SR Linux's loopback for the router id and BGP: subinterface 0 of `system0`. */
export const LOOPBACK_INTERFACE = 'system0';

export function isEthernetName(name: string): boolean {
  const match = ETHERNET.exec(name);
  return match !== null && Number(match[1]) <= MAX_SLOT && Number(match[2]) <= MAX_PORT;
}

export function ethernetName(slot: number, port: number): string {
  const name = `ethernet-${slot}/${port}`;
  if (!isEthernetName(name)) throw new RangeError(`no such SR Linux port: slot ${slot}, port ${port} (slot 1..99, port 1..128)`);
  return name;
}
