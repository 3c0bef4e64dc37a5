/**
 * SR Linux interface naming, as srl_nokia-common's `interface-all` and
 * `subinterface-all` typedefs define it in release 25.3 (see
 * libs/device-config/SRLINUX-MODEL.md): the simulator refuses what a real
 * device refuses, so `eth1`, `loopback0`, `ethernet-1/200` or
 * `ethernet-100/1` fail here as they would on a device. The platform forms
 * `lif-*`, `vhn-*` and `enp*` are not modelled.
 */

export type InterfaceKind = 'ethernet' | 'mgmt' | 'system' | 'sync' | 'loopback' | 'irb' | 'lag';

/**
 * `ethernet-<slot 1..99>[/m<mda 1..6>][/<connector 1..99>]/<port 1..128>`.
 * YANG patterns are anchored, and the digit groups forbid leading zeros.
 */
const ETHERNET = /^ethernet-([1-9][0-9]?)(?:\/m([1-6]))?(?:\/([1-9][0-9]?))?\/([1-9][0-9]{0,2})$/;
const NUMBERED: ReadonlyArray<[InterfaceKind, RegExp, number, number]> = [
  ['loopback', /^lo(0|[1-9][0-9]{0,2})$/, 0, 255],
  ['irb', /^irb(0|[1-9][0-9]{0,2})$/, 0, 255],
  ['lag', /^lag([1-9][0-9]{0,3})$/, 1, 1000],
];
const FIXED: Record<string, InterfaceKind> = { mgmt0: 'mgmt', 'mgmt0-standby': 'mgmt', system0: 'system', sync0: 'sync' };
const SUBINTERFACE = /^(.+)\.(0|[1-9][0-9]{0,3})$/;
/** `interface-all` is length-restricted on top of its pattern (20 in 24.10, 21 in 25.3). */
const NAME_LENGTH = { min: 3, max: 21 };
const SUBINTERFACE_NAME_LENGTH = { min: 5, max: 26 };
/** `subinterface-all` lists these with `.0` only (and mgmt0-standby not at all). */
const ONLY_SUBINTERFACE_ZERO = new Set(['mgmt0', 'system0', 'sync0']);

export const MAX_ETHERNET_PORT = 128;

export const INTERFACE_NAME_HINT =
  'ethernet-<slot 1..99>[/m<1..6>][/<connector 1..99>]/<port 1..128>, mgmt0, mgmt0-standby, system0, sync0, lo<0..255>, irb<0..255> or lag<1..1000>';

export interface EthernetName {
  slot: number;
  mda?: number;
  connector?: number;
  port: number;
}

export function parseEthernetName(name: string): EthernetName | undefined {
  if (name.length > NAME_LENGTH.max) return undefined;
  const match = ETHERNET.exec(name);
  if (!match) return undefined;
  const port = Number(match[4]);
  if (port > MAX_ETHERNET_PORT) return undefined;
  return {
    slot: Number(match[1]),
    ...(match[2] === undefined ? {} : { mda: Number(match[2]) }),
    ...(match[3] === undefined ? {} : { connector: Number(match[3]) }),
    port,
  };
}

export function interfaceKind(name: string): InterfaceKind | undefined {
  if (name.length < NAME_LENGTH.min || name.length > NAME_LENGTH.max) return undefined;
  if (parseEthernetName(name)) return 'ethernet';
  const fixed = FIXED[name];
  if (fixed) return fixed;
  for (const [kind, pattern, min, max] of NUMBERED) {
    const match = pattern.exec(name);
    if (match) return Number(match[1]) >= min && Number(match[1]) <= max ? kind : undefined;
  }
  return undefined;
}

/**
 * A breakout port `ethernet-S[/mM]/C/n` belongs to connector `ethernet-S[/mM]/C`
 * (the interface that carries breakout-mode); undefined for any other name.
 */
export function breakoutParent(name: string): { parent: string; index: number } | undefined {
  const parsed = parseEthernetName(name);
  if (!parsed || parsed.connector === undefined) return undefined;
  const mda = parsed.mda === undefined ? '' : `/m${parsed.mda}`;
  return { parent: `ethernet-${parsed.slot}${mda}/${parsed.connector}`, index: parsed.port };
}

/** `ethernet-1/1.0` -> interface `ethernet-1/1`, index 0; undefined unless `subinterface-all` allows the name. */
export function parseSubinterfaceName(name: string): { interface: string; index: number } | undefined {
  if (name.length < SUBINTERFACE_NAME_LENGTH.min || name.length > SUBINTERFACE_NAME_LENGTH.max) return undefined;
  const match = SUBINTERFACE.exec(name);
  if (!match || !interfaceKind(match[1]) || match[1] === 'mgmt0-standby') return undefined;
  const index = Number(match[2]);
  if (ONLY_SUBINTERFACE_ZERO.has(match[1]) && index !== 0) return undefined;
  return { interface: match[1], index };
}

/** Interfaces whose subinterface list SR Linux limits to index 0 (sync0 takes none). */
export function onlySubinterfaceZero(name: string): boolean {
  return interfaceKind(name) === 'mgmt' || name === 'system0';
}
