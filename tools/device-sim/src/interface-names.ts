/**
 * SR Linux interface naming. The simulator accepts a wider ethernet range
 * than any one chassis (slot and port 1..255) so large configs can be built,
 * but keeps SR Linux's shapes: `eth1` or `loopback0` are refused as on a
 * real device.
 */

export type InterfaceKind = 'ethernet' | 'mgmt' | 'system' | 'loopback' | 'lag';

const ETHERNET = /^ethernet-([1-9][0-9]{0,2})\/([1-9][0-9]{0,2})$/;
const LOOPBACK = /^lo(0|[1-9][0-9]{0,2})$/;
const LAG = /^lag([1-9][0-9]{0,3})$/;
const SUBINTERFACE = /^(.+)\.(0|[1-9][0-9]{0,3})$/;

export const INTERFACE_NAME_HINT = 'ethernet-<slot 1..255>/<port 1..255>, mgmt0, system0, lo<0..255> or lag<1..1000>';

export function interfaceKind(name: string): InterfaceKind | undefined {
  const ethernet = ETHERNET.exec(name);
  if (ethernet) return Number(ethernet[1]) <= 255 && Number(ethernet[2]) <= 255 ? 'ethernet' : undefined;
  if (name === 'mgmt0') return 'mgmt';
  if (name === 'system0') return 'system';
  const loopback = LOOPBACK.exec(name);
  if (loopback) return Number(loopback[1]) <= 255 ? 'loopback' : undefined;
  const lag = LAG.exec(name);
  if (lag) return Number(lag[1]) <= 1000 ? 'lag' : undefined;
  return undefined;
}

/** `ethernet-1/1.0` -> interface `ethernet-1/1`, index 0. */
export function parseSubinterfaceName(name: string): { interface: string; index: number } | undefined {
  const match = SUBINTERFACE.exec(name);
  if (!match || !interfaceKind(match[1])) return undefined;
  return { interface: match[1], index: Number(match[2]) };
}
