/**
 * SR Linux interface names. The device refuses anything outside its platform
 * pattern (`eth1`, `loopback0`), so the renderer checks names up front and
 * names the offending intent field instead of leaving it to a refused Set.
 */

export type InterfaceKind = 'ethernet' | 'management' | 'system' | 'loopback' | 'lag';

const PATTERNS: ReadonlyArray<[InterfaceKind, RegExp]> = [
  ['ethernet', /^ethernet-([1-9]\d{0,2})\/([1-9]\d{0,2})$/],
  // mgmt0-standby is the standby CPM's port on dual-CPM chassis.
  ['management', /^mgmt0(?:-standby)?$/],
  ['system', /^system0$/],
  ['loopback', /^lo(0|[1-9]\d{0,2})$/],
  ['lag', /^lag([1-9]\d{0,3})$/],
];

const RANGES: Record<InterfaceKind, number> = { ethernet: 255, management: 0, system: 0, loopback: 255, lag: 1000 };

export const INTERFACE_NAME_HINT = 'ethernet-<slot>/<port>, system0, lo<0..255> or lag<1..1000>';

export function interfaceKind(name: string): InterfaceKind | undefined {
  for (const [kind, pattern] of PATTERNS) {
    const match = pattern.exec(name);
    if (!match) continue;
    const numbers = match.slice(1).map(Number);
    return numbers.every((n) => n <= RANGES[kind]) ? kind : undefined;
  }
  return undefined;
}

/** The subinterface the renderer configures on a routed interface. */
export const ROUTED_SUBINTERFACE_INDEX = 0;

export function subinterfaceName(interfaceName: string, index = ROUTED_SUBINTERFACE_INDEX): string {
  return `${interfaceName}.${index}`;
}
