import { DeviceIntent, parseInput, SynapseError, type DeviceIntentInput, type InterfaceIntent } from '@synapse/contracts';
import { INTERFACE_NAME_HINT, interfaceKind, type InterfaceKind } from './interface-names';

/**
 * An intent the SR Linux renderer can turn into a config the device will
 * accept. DeviceIntent's schema is vendor-neutral; what it cannot know —
 * SR Linux's interface naming, its MTU floor on ethernet ports, that mgmt0
 * belongs to the device — is checked here, with the offending field named
 * the way parseInput names fields (`interfaces.2.mtu`), so a bad intent
 * fails before anything reaches a device.
 */

export const SUPPORTED_PLATFORM = 'srlinux';

/** SR Linux 25.3 refuses an MTU below 1500 on every interface that has one (SRLINUX-MODEL.md). */
export const MIN_MTU = 1500;

export function parseRenderableIntent(input: DeviceIntentInput | DeviceIntent): DeviceIntent {
  const intent = parseInput(DeviceIntent, input, 'device intent');
  if (intent.platform !== SUPPORTED_PLATFORM) {
    throw new SynapseError('Unsupported', `device intent: platform: "${intent.platform}" has no renderer (supported: ${SUPPORTED_PLATFORM})`, {
      fields: ['platform'],
    });
  }
  checkUnique(intent.interfaces.map((i) => i.name), (i) => `interfaces.${i}.name`, 'interface');
  intent.interfaces.forEach((itf, i) => checkInterface(itf, i));
  checkUnique(intent.routingPolicies.map((p) => p.name), (i) => `routingPolicies.${i}.name`, 'routing policy');
  intent.routingPolicies.forEach((policy, p) => checkUnique(policy.statements.map((s) => s.name), (i) => `routingPolicies.${p}.statements.${i}.name`, 'statement'));
  checkUnique(intent.prefixSets.map((p) => p.name), (i) => `prefixSets.${i}.name`, 'prefix set');
  if (intent.bgp) {
    const bgp = intent.bgp;
    checkUnique(bgp.afiSafi, (i) => `bgp.afiSafi.${i}`, 'address family');
    checkUnique(bgp.groups.map((g) => g.name), (i) => `bgp.groups.${i}.name`, 'peer group');
    checkUnique(bgp.neighbors.map((n) => n.peerAddress), (i) => `bgp.neighbors.${i}.peerAddress`, 'neighbor');
    bgp.groups.forEach((group, g) => {
      // SR Linux refuses a leaf-list naming the same policy twice.
      checkUnique(group.importPolicies, (i) => `bgp.groups.${g}.importPolicies.${i}`, 'import policy');
      checkUnique(group.exportPolicies, (i) => `bgp.groups.${g}.exportPolicies.${i}`, 'export policy');
    });
  }
  return intent;
}

/** The interfaces the renderer configures: all but those reserved for management. */
export function configuredInterfaces(intent: DeviceIntent): InterfaceIntent[] {
  return intent.interfaces.filter((itf) => itf.role !== 'management');
}

function checkInterface(itf: InterfaceIntent, i: number): InterfaceKind {
  const kind = interfaceKind(itf.name);
  if (!kind) invalid(`interfaces.${i}.name`, `"${itf.name}" is not an SR Linux interface name (expected ${INTERFACE_NAME_HINT})`);
  if (kind === 'management' && itf.role !== 'management') {
    invalid(`interfaces.${i}.role`, `${itf.name} is the device's management port and is never configured by a change; give it role "management"`);
  }
  if (itf.role === 'management') return kind;
  // SR Linux's model requires system0 (interface and subinterface) to stay enabled.
  if (kind === 'system' && !itf.enabled) invalid(`interfaces.${i}.enabled`, `${itf.name} cannot be disabled on SR Linux`);
  if (itf.mtu !== undefined) {
    // "Port MTU is not configurable for loopback interfaces" (srl_nokia-interfaces); system0 is one.
    if (kind === 'system' || kind === 'loopback' || kind === 'irb') invalid(`interfaces.${i}.mtu`, `${itf.name} is a ${kind} interface and has no MTU on SR Linux`);
    if (itf.mtu < MIN_MTU) invalid(`interfaces.${i}.mtu`, `${itf.mtu} is below SR Linux's minimum of ${MIN_MTU} for ${itf.name}`);
  }
  checkUnique(itf.ipv4Addresses, (j) => `interfaces.${i}.ipv4Addresses.${j}`, 'address');
  return kind;
}

function checkUnique(values: readonly string[], field: (index: number) => string, what: string): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) invalid(field(i), `${what} "${value}" is listed twice`);
    seen.add(value);
  });
}

function invalid(field: string, message: string): never {
  throw new SynapseError('InvalidInput', `device intent: ${field}: ${message}`, { fields: [field], issues: [{ field, message }] });
}
