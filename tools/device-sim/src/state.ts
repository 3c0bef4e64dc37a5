import { interfaceKind, parseSubinterfaceName } from './interface-names';
import { inSubnet, parseIpv4Prefix, type Ipv4Prefix } from './ip';
import { DEFAULTS, type BgpSessionState } from './srl-model';
import { isJsonObject, type JsonObject } from './tree';

/**
 * Operational state derived from every device's running config, the link
 * table and the faults: interface oper-state and BGP session-state. A change
 * on one device is re-evaluated on it and on its link neighbours (the only
 * devices whose state can depend on it), synchronously, so a Set's effect is
 * visible in state by the time the SetResponse leaves.
 */

export type UpDown = 'up' | 'down';

export interface OperState {
  interfaces: Map<string, UpDown>;
  /** Keyed `ethernet-1/1.0`. */
  subinterfaces: Map<string, UpDown>;
  networkInstances: Map<string, UpDown>;
  /** Keyed `<network-instance>\u0000<peer-address>`. */
  sessions: Map<string, BgpSessionState>;
}

export const sessionKey = (networkInstance: string, peerAddress: string) => `${networkInstance}\u0000${peerAddress}`;

/** What the engine needs to know about a device, and how it tells the device its new state. */
export interface StateSubject {
  readonly name: string;
  readonly config: JsonObject;
  readonly up: boolean;
  readonly holdBgpDown: boolean;
  isFlapping(interfaceName: string): boolean;
  applyOperState(state: OperState): void;
}

export interface LinkEnd {
  device: string;
  interface: string;
}

interface SessionRecord {
  devices: [string, string];
  established: boolean;
  timer?: NodeJS.Timeout;
}

type Evaluation = { ready: false; state: BgpSessionState } | { ready: true; key: string; devices: [string, string] };

const endKey = (device: string, itf: string) => `${device}\u0000${itf}`;

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function enabled(value: unknown, fallback: 'enable' | 'disable'): boolean {
  return (value ?? fallback) === 'enable';
}

function findInterface(config: JsonObject, name: string): JsonObject | undefined {
  return list(config.interface).find((i) => i.name === name);
}

/** A LAG's members: the ports whose ethernet/aggregate-id names it (membership is set on the member). */
function lagMembers(config: JsonObject, lag: string): string[] {
  return list(config.interface)
    .filter((itf) => isJsonObject(itf.ethernet) && itf.ethernet['aggregate-id'] === lag)
    .map((itf) => String(itf.name));
}

function bgpOf(networkInstance: JsonObject): JsonObject | undefined {
  const protocols = networkInstance.protocols;
  return isJsonObject(protocols) && isJsonObject(protocols.bgp) ? protocols.bgp : undefined;
}

function bgpRunning(bgp: JsonObject | undefined): bgp is JsonObject {
  return bgp !== undefined && enabled(bgp['admin-state'], DEFAULTS.bgpAdminState) && list(bgp['afi-safi']).some((a) => enabled(a['admin-state'], DEFAULTS.afiSafiAdminState));
}

function neighborRunning(bgp: JsonObject, neighbor: JsonObject): { running: boolean; peerAs: unknown } {
  const group = list(bgp.group).find((g) => g['group-name'] === neighbor['peer-group']);
  const running = enabled(neighbor['admin-state'], DEFAULTS.neighborAdminState) && group !== undefined && enabled(group['admin-state'], DEFAULTS.groupAdminState);
  return { running, peerAs: neighbor['peer-as'] ?? group?.['peer-as'] };
}

interface RoutedSubinterface {
  interface: string;
  index: number;
  prefix: Ipv4Prefix;
}

/** IPv4-enabled subinterfaces of a network-instance, with their addresses. */
function routedSubinterfaces(config: JsonObject, networkInstance: JsonObject): RoutedSubinterface[] {
  const out: RoutedSubinterface[] = [];
  for (const member of list(networkInstance.interface)) {
    const parsed = parseSubinterfaceName(String(member.name));
    if (!parsed) continue;
    const sub = list(findInterface(config, parsed.interface)?.subinterface).find((s) => s.index === parsed.index);
    const ipv4 = sub && isJsonObject(sub.ipv4) ? sub.ipv4 : undefined;
    if (!ipv4 || !enabled(ipv4['admin-state'], DEFAULTS.ipv4AdminState)) continue;
    for (const address of list(ipv4.address)) {
      const prefix = parseIpv4Prefix(String(address['ip-prefix']));
      if (prefix) out.push({ interface: parsed.interface, index: parsed.index, prefix });
    }
  }
  return out;
}

export class StateEngine {
  private readonly subjects = new Map<string, StateSubject>();
  private readonly links = new Map<string, LinkEnd>();
  private readonly linkNeighbors = new Map<string, Set<string>>();
  private readonly current = new Map<string, OperState>();
  private readonly sessions = new Map<string, SessionRecord>();
  private stopped = false;

  constructor(private readonly convergenceDelayMs: number) {}

  addDevice(subject: StateSubject): void {
    this.subjects.set(subject.name, subject);
    this.linkNeighbors.set(subject.name, this.linkNeighbors.get(subject.name) ?? new Set());
  }

  addLink(a: LinkEnd, b: LinkEnd): void {
    this.links.set(endKey(a.device, a.interface), b);
    this.links.set(endKey(b.device, b.interface), a);
    for (const [from, to] of [
      [a.device, b.device],
      [b.device, a.device],
    ]) {
      const set = this.linkNeighbors.get(from) ?? new Set<string>();
      set.add(to);
      this.linkNeighbors.set(from, set);
    }
  }

  /** The far end of a device interface's link, if it has one. */
  farEnd(device: string, itf: string): LinkEnd | undefined {
    return this.links.get(endKey(device, itf));
  }

  stateOf(device: string): OperState | undefined {
    return this.current.get(device);
  }

  /** Something about `device` changed (config, faults, up/down). */
  deviceChanged(device: string): void {
    this.recompute(new Set([device, ...(this.linkNeighbors.get(device) ?? [])]));
  }

  recomputeAll(): void {
    this.recompute(new Set(this.subjects.keys()));
  }

  stop(): void {
    this.stopped = true;
    for (const record of this.sessions.values()) clearTimeout(record.timer);
    this.sessions.clear();
  }

  private recompute(names: Set<string>): void {
    if (this.stopped) return;
    const interfaceStates = new Map<string, Pick<OperState, 'interfaces' | 'subinterfaces' | 'networkInstances'>>();
    for (const name of names) {
      const subject = this.subjects.get(name);
      if (subject) interfaceStates.set(name, this.computeInterfaces(subject));
    }
    const subinterfaceUp = (device: string, itf: string, index: number) =>
      (interfaceStates.get(device) ?? this.current.get(device))?.subinterfaces.get(`${itf}.${index}`) === 'up';

    const evaluations = new Map<string, Map<string, Evaluation>>();
    const readyNow = new Set<string>();
    for (const name of names) {
      const subject = this.subjects.get(name);
      if (!subject) continue;
      const perDevice = this.evaluateSessions(subject, subinterfaceUp);
      evaluations.set(name, perDevice);
      for (const evaluation of perDevice.values()) if (evaluation.ready) readyNow.add(evaluation.key);
    }
    this.updateSessionRecords(names, evaluations, readyNow);

    for (const name of names) {
      const subject = this.subjects.get(name);
      const ifaces = interfaceStates.get(name);
      if (!subject || !ifaces) continue;
      const sessions = new Map<string, BgpSessionState>();
      for (const [key, evaluation] of evaluations.get(name) ?? []) {
        sessions.set(key, evaluation.ready ? (this.sessions.get(evaluation.key)?.established ? 'established' : 'active') : evaluation.state);
      }
      const next: OperState = { ...ifaces, sessions };
      const previous = this.current.get(name);
      if (!previous || !sameOperState(previous, next)) {
        this.current.set(name, next);
        subject.applyOperState(next);
      }
    }
  }

  private updateSessionRecords(names: Set<string>, evaluations: Map<string, Map<string, Evaluation>>, readyNow: Set<string>): void {
    for (const [key, record] of this.sessions) {
      const touched = names.has(record.devices[0]) || names.has(record.devices[1]);
      if (touched && !readyNow.has(key)) {
        clearTimeout(record.timer);
        this.sessions.delete(key);
      }
    }
    for (const perDevice of evaluations.values()) {
      for (const evaluation of perDevice.values()) {
        if (!evaluation.ready || this.sessions.has(evaluation.key)) continue;
        const record: SessionRecord = { devices: evaluation.devices, established: this.convergenceDelayMs <= 0 };
        if (!record.established) {
          record.timer = setTimeout(() => {
            record.timer = undefined;
            if (this.sessions.get(evaluation.key) !== record) return;
            record.established = true;
            this.recompute(new Set(record.devices));
          }, this.convergenceDelayMs);
          record.timer.unref();
        }
        this.sessions.set(evaluation.key, record);
      }
    }
  }

  private computeInterfaces(subject: StateSubject): Pick<OperState, 'interfaces' | 'subinterfaces' | 'networkInstances'> {
    const interfaces = new Map<string, UpDown>();
    const subinterfaces = new Map<string, UpDown>();
    const networkInstances = new Map<string, UpDown>();
    const all = list(subject.config.interface);
    const usable = (itf: JsonObject) => subject.up && enabled(itf['admin-state'], DEFAULTS.interfaceAdminState) && !subject.isFlapping(String(itf.name));
    // Ports first: a LAG's state is a count of its members' states.
    for (const itf of all) {
      const name = String(itf.name);
      if (interfaceKind(name) !== 'lag') interfaces.set(name, usable(itf) && this.carrier(subject, name) ? 'up' : 'down');
    }
    for (const itf of all) {
      const name = String(itf.name);
      if (interfaceKind(name) !== 'lag') continue;
      const membersUp = lagMembers(subject.config, name).filter((member) => interfaces.get(member) === 'up').length;
      const lag = isJsonObject(itf.lag) ? itf.lag : {};
      const minLinks = Number(lag['min-links'] ?? DEFAULTS.lagMinLinks);
      interfaces.set(name, usable(itf) && membersUp >= minLinks ? 'up' : 'down');
    }
    for (const itf of all) {
      const name = String(itf.name);
      const up = interfaces.get(name) === 'up';
      for (const sub of list(itf.subinterface)) {
        const subUp = up && enabled(sub['admin-state'], DEFAULTS.subinterfaceAdminState);
        subinterfaces.set(`${name}.${sub.index}`, subUp ? 'up' : 'down');
      }
    }
    for (const ni of list(subject.config['network-instance'])) {
      const up = subject.up && enabled(ni['admin-state'], DEFAULTS.networkInstanceAdminState);
      networkInstances.set(String(ni.name), up ? 'up' : 'down');
    }
    return { interfaces, subinterfaces, networkInstances };
  }

  /**
   * Whether a non-LAG interface sees what it needs. An ethernet port (a
   * breakout port too) needs a cabled, admin-enabled, running far end; mgmt0,
   * system0, loopbacks and irb need nothing outside the device.
   */
  private carrier(subject: StateSubject, name: string): boolean {
    if (interfaceKind(name) !== 'ethernet') return true;
    const far = this.links.get(endKey(subject.name, name));
    const farSubject = far && this.subjects.get(far.device);
    if (!far || !farSubject || !farSubject.up || farSubject.isFlapping(far.interface)) return false;
    const farInterface = findInterface(farSubject.config, far.interface);
    return farInterface !== undefined && enabled(farInterface['admin-state'], DEFAULTS.interfaceAdminState);
  }

  private evaluateSessions(subject: StateSubject, subinterfaceUp: (device: string, itf: string, index: number) => boolean): Map<string, Evaluation> {
    const out = new Map<string, Evaluation>();
    for (const ni of list(subject.config['network-instance'])) {
      const bgp = bgpOf(ni);
      if (!bgp) continue;
      for (const neighbor of list(bgp.neighbor)) {
        const peer = String(neighbor['peer-address']);
        out.set(sessionKey(String(ni.name), peer), this.evaluateSession(subject, ni, bgp, neighbor, peer, subinterfaceUp));
      }
    }
    return out;
  }

  /**
   * The session comes up only when both ends agree: a connected /31 (or any
   * shared subnet) over an up link, neighbours pointing at each other's
   * address, and each side's peer-as equal to the other's AS. Local reasons
   * give `idle`; a far end that does not answer correctly gives `active`.
   */
  private evaluateSession(
    subject: StateSubject,
    ni: JsonObject,
    bgp: JsonObject,
    neighbor: JsonObject,
    peer: string,
    subinterfaceUp: (device: string, itf: string, index: number) => boolean,
  ): Evaluation {
    const idle: Evaluation = { ready: false, state: 'idle' };
    const active: Evaluation = { ready: false, state: 'active' };
    if (!subject.up || !bgpRunning(bgp)) return idle;
    const local = neighborRunning(bgp, neighbor);
    if (!local.running) return idle;
    const localSub = routedSubinterfaces(subject.config, ni).find((s) => inSubnet(peer, s.prefix) && s.prefix.address !== peer);
    if (!localSub || !subinterfaceUp(subject.name, localSub.interface, localSub.index)) return idle;
    const far = this.links.get(endKey(subject.name, localSub.interface));
    const farSubject = far && this.subjects.get(far.device);
    if (!far || !farSubject) return idle;

    for (const farNi of list(farSubject.config['network-instance'])) {
      const farSub = routedSubinterfaces(farSubject.config, farNi).find(
        (s) => s.interface === far.interface && s.prefix.address === peer && s.prefix.length === localSub.prefix.length && inSubnet(localSub.prefix.address, s.prefix),
      );
      if (!farSub) continue;
      if (!subinterfaceUp(farSubject.name, farSub.interface, farSub.index)) return active;
      const farBgp = bgpOf(farNi);
      if (!bgpRunning(farBgp)) return active;
      const farNeighbor = list(farBgp.neighbor).find((n) => n['peer-address'] === localSub.prefix.address);
      if (!farNeighbor) return active;
      const remote = neighborRunning(farBgp, farNeighbor);
      if (!remote.running || subject.holdBgpDown || farSubject.holdBgpDown) return active;
      if (local.peerAs !== farBgp['autonomous-system'] || remote.peerAs !== bgp['autonomous-system']) return active;
      const ends = [`${subject.name}|${localSub.prefix.address}`, `${farSubject.name}|${peer}`].sort();
      const devices: [string, string] = subject.name < farSubject.name ? [subject.name, farSubject.name] : [farSubject.name, subject.name];
      return { ready: true, key: ends.join('~'), devices };
    }
    return active;
  }
}

function sameMap<V>(a: Map<string, V>, b: Map<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

function sameOperState(a: OperState, b: OperState): boolean {
  return sameMap(a.interfaces, b.interfaces) && sameMap(a.subinterfaces, b.subinterfaces) && sameMap(a.networkInstances, b.networkInstances) && sameMap(a.sessions, b.sessions);
}

/** Config plus the derived state leaves: the tree Get ALL and Subscribe read. */
export function buildView(config: JsonObject, state: OperState | undefined): JsonObject {
  const view = structuredClone(config);
  for (const itf of list(view.interface)) {
    const name = String(itf.name);
    itf['oper-state'] = state?.interfaces.get(name) ?? 'down';
    if (isJsonObject(itf.lag)) {
      const members = lagMembers(config, name).map((member) => ({ name: member, 'oper-state': state?.interfaces.get(member) ?? 'down' }));
      if (members.length > 0) itf.lag.member = members;
    }
    for (const sub of list(itf.subinterface)) sub['oper-state'] = state?.subinterfaces.get(`${name}.${sub.index}`) ?? 'down';
  }
  for (const ni of list(view['network-instance'])) {
    const niName = String(ni.name);
    ni['oper-state'] = state?.networkInstances.get(niName) ?? 'down';
    const bgp = bgpOf(ni);
    for (const neighbor of list(bgp?.neighbor)) {
      neighbor['session-state'] = state?.sessions.get(sessionKey(niName, String(neighbor['peer-address']))) ?? 'idle';
    }
  }
  return view;
}
