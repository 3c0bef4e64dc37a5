/**
 * SR Linux interface names. The device refuses anything outside its platform
 * pattern (`eth1`, `loopback0`), so the renderer checks names up front and
 * names the offending intent field instead of leaving it to a refused Set.
 */

export type InterfaceKind = 'ethernet' | 'management' | 'system' | 'loopback' | 'lag' | 'irb' | 'sync';

/**
 * srl_nokia-common's interface name pattern (SR Linux 25.3; see
 * SRLINUX-MODEL.md): ethernet slot 1..99 and port 1..128, optionally a
 * module `m1`..`m6` and a connector (breakout children `ethernet-1/1/1`);
 * lag 1..1000; lo and irb 0..255; and the fixed system0, mgmt0,
 * mgmt0-standby (the standby CPM's port) and sync0.
 */
const PATTERNS: ReadonlyArray<[InterfaceKind, RegExp, number[]]> = [
  ['ethernet', /^ethernet-([1-9]\d?)(?:\/m[1-6])?(?:\/([1-9]\d?))?\/([1-9]\d{0,2})$/, [99, 99, 128]],
  ['management', /^mgmt0(?:-standby)?$/, []],
  ['system', /^system0$/, []],
  ['sync', /^sync0$/, []],
  ['loopback', /^lo(0|[1-9]\d{0,2})$/, [255]],
  ['irb', /^irb(0|[1-9]\d{0,2})$/, [255]],
  ['lag', /^lag([1-9]\d{0,3})$/, [1000]],
];

export const INTERFACE_NAME_HINT = 'ethernet-<slot 1..99>/<port 1..128>, system0, lo<0..255>, irb<0..255> or lag<1..1000>';

/** SR Linux's management ports: never configured, never deleted by a change. */
export const MANAGEMENT_INTERFACES = ['mgmt0', 'mgmt0-standby'] as const;
/** The network-instance SR Linux puts management in: never a change's. */
export const MANAGEMENT_NETWORK_INSTANCE = 'mgmt';

export function interfaceKind(name: string): InterfaceKind | undefined {
  if (name.length < 3 || name.length > 21) return undefined;
  for (const [kind, pattern, limits] of PATTERNS) {
    const match = pattern.exec(name);
    if (!match) continue;
    const numbers = match.slice(1);
    return numbers.every((n, i) => n === undefined || Number(n) <= limits[i]) ? kind : undefined;
  }
  return undefined;
}

/** The subinterface the renderer configures on a routed interface. */
export const ROUTED_SUBINTERFACE_INDEX = 0;

export function subinterfaceName(interfaceName: string, index = ROUTED_SUBINTERFACE_INDEX): string {
  return `${interfaceName}.${index}`;
}
