import type { ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  formatPath,
  type PathElem,
  type SubscriptionMode,
  type WireNotification,
  type WirePath,
  type WireSubscribeRequest,
  type WireSubscribeResponse,
  type WireSubscriptionList,
  type WireUpdate,
} from '@synapse/gnmi-client';
import type { SimDevice, StreamHandle } from './device';
import { checkEncoding, encodeJsonValue, renderNode } from './encoding';
import { GnmiError, invalidArgument, toServiceError } from './errors';
import { fromWirePath, resolvePath, toWirePath, withPrefix, type ResolvedPath } from './paths';
import { childNode, type SchemaNode } from './schema';
import { SRL_SCHEMA } from './srl-model';
import { nowNs } from './timestamps';
import { findLocations, isJsonObject, keyOf, type JsonObject } from './tree';

/**
 * Subscribe (gNMI 3.5): ONCE, POLL and STREAM with ON_CHANGE, SAMPLE and
 * TARGET_DEFINED (served as ON_CHANGE: every modelled leaf here changes on
 * events, none is a counter). Updates are per leaf, as the spec requires
 * without aggregation, grouped into one Notification per parent node with
 * that node as the prefix.
 */

export const MIN_SAMPLE_INTERVAL_MS = 100;

type Call = ServerDuplexStream<WireSubscribeRequest, WireSubscribeResponse>;

interface Leaf {
  elems: PathElem[];
  /** The encoded value, compared to find changes. */
  json: string;
  value: unknown;
}

interface Subscription {
  path: ResolvedPath;
  mode: SubscriptionMode;
  sampleMs: number;
  suppressRedundant: boolean;
  heartbeatMs: number;
  last: Map<string, Leaf>;
  lastFullSend: number;
}

function nsToMs(value: string | number | undefined): number {
  return Math.floor(Number(value ?? 0) / 1e6);
}

/** Every leaf under the matches of a path, keyed by its printed path. */
function collectLeaves(view: JsonObject, path: ResolvedPath, ietf: boolean): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const add = (elems: PathElem[], node: SchemaNode, value: unknown) => {
    const rendered = renderNode(node, value, { ietf, type: 'ALL' });
    if (rendered === undefined) return;
    out.set(formatPath({ elem: elems }), { elems, json: JSON.stringify(rendered), value: rendered });
  };
  const walk = (node: SchemaNode, value: unknown, at: PathElem[]) => {
    if (node.kind === 'leaf' || node.kind === 'leaf-list' || (node.kind === 'anydata' && !isJsonObject(value))) {
      add(at, node, value);
      return;
    }
    if (!isJsonObject(value)) return;
    for (const [name, member] of Object.entries(value)) {
      const child = node.kind === 'anydata' ? node : childNode(node, name);
      if (!child) continue;
      if (child.kind === 'list') {
        if (!Array.isArray(member)) continue;
        for (const entry of member) if (isJsonObject(entry)) walk(child, entry, [...at, { name, key: keyOf(child, entry) }]);
      } else {
        walk(child, member, [...at, { name }]);
      }
    }
  };
  if (path.elems.length === 0) walk(SRL_SCHEMA, view, []);
  else for (const location of findLocations(view, path.elems)) walk(location.node, location.value, location.elems);
  return out;
}

/** The highest removed node per removed leaf, not above the subscribed path. */
function removedPaths(removed: Leaf[], current: Map<string, Leaf>, minDepth: number): PathElem[][] {
  if (removed.length === 0) return [];
  const live = new Set<string>();
  for (const leaf of current.values()) {
    for (let depth = 1; depth <= leaf.elems.length; depth++) live.add(formatPath({ elem: leaf.elems.slice(0, depth) }));
  }
  const out = new Map<string, PathElem[]>();
  for (const leaf of removed) {
    for (let depth = Math.max(1, minDepth); depth <= leaf.elems.length; depth++) {
      const elems = leaf.elems.slice(0, depth);
      const text = formatPath({ elem: elems });
      if (!live.has(text)) {
        out.set(text, elems);
        break;
      }
    }
  }
  return [...out.values()];
}

export function handleSubscribe(device: SimDevice, call: Call): void {
  new SubscribeSession(device, call);
}

function parseSubscriptions(list: WireSubscriptionList): Subscription[] {
  const prefix = fromWirePath(list.prefix);
  const entries = list.subscription ?? [];
  if (entries.length === 0) throw invalidArgument('SubscriptionList needs at least one subscription');
  const streaming = (list.mode ?? 'STREAM') === 'STREAM';
  return entries.map((entry) => {
    const path = resolvePath(withPrefix(prefix, fromWirePath(entry.path)));
    const requestedMode = entry.mode ?? 'TARGET_DEFINED';
    const mode: SubscriptionMode = requestedMode === 'TARGET_DEFINED' ? 'ON_CHANGE' : requestedMode;
    const sampleRequested = Number(entry.sample_interval ?? 0) > 0;
    // An interval of 0 asks for the target's fastest rate (gNMI 3.5.1.5.2).
    const sampleMs = sampleRequested ? nsToMs(entry.sample_interval) : MIN_SAMPLE_INTERVAL_MS;
    const heartbeatMs = nsToMs(entry.heartbeat_interval);
    if (streaming && mode === 'SAMPLE' && sampleRequested && sampleMs < MIN_SAMPLE_INTERVAL_MS) {
      throw invalidArgument(`${path.text}: sample_interval ${entry.sample_interval} ns is below this target's minimum of ${MIN_SAMPLE_INTERVAL_MS} ms`);
    }
    if (streaming && Number(entry.heartbeat_interval ?? 0) > 0 && heartbeatMs < MIN_SAMPLE_INTERVAL_MS) {
      throw invalidArgument(`${path.text}: heartbeat_interval ${entry.heartbeat_interval} ns is below this target's minimum of ${MIN_SAMPLE_INTERVAL_MS} ms`);
    }
    return { path, mode, sampleMs, suppressRedundant: entry.suppress_redundant ?? false, heartbeatMs, last: new Map(), lastFullSend: 0 };
  });
}

/** One Subscribe call, from its first SubscriptionList to its end. */
class SubscribeSession implements StreamHandle {
  private list: WireSubscriptionList | undefined;
  private subscriptions: Subscription[] = [];
  private ietf = false;
  private target: string | undefined;
  private ended = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  /** Requests are handled one at a time, in order, after the credentials check. */
  private queue: Promise<void>;

  constructor(
    private readonly device: SimDevice,
    private readonly call: Call,
  ) {
    device.streams.add(this);
    const cleanup = () => this.cleanup();
    call.on('cancelled', cleanup);
    call.on('close', cleanup);
    call.on('error', cleanup);
    call.on('end', () => {
      // Half-close ends a POLL conversation; STREAM subscriptions keep flowing.
      if (this.list?.mode === 'POLL' && !this.ended) {
        this.cleanup();
        call.end();
      }
    });
    this.queue = (async () => {
      await device.delay();
      device.authenticate(call.metadata);
    })().catch((error) => this.fail(error));
    call.on('data', (request: WireSubscribeRequest) => {
      this.queue = this.queue.then(() => this.onRequest(request)).catch((error) => this.fail(error));
    });
  }

  /** Ends the call with a status (device restart or shutdown). */
  end(code: status, details: string): void {
    this.fail(new GnmiError(code, details));
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.cleanup();
    this.call.emit('error', toServiceError(error));
  }

  private cleanup(): void {
    this.ended = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    this.unsubscribe?.();
    this.device.streams.delete(this);
  }

  private write(response: WireSubscribeResponse): void {
    if (!this.ended && !this.call.cancelled) this.call.write(response);
  }

  private async onRequest(request: WireSubscribeRequest): Promise<void> {
    if (this.ended) return;
    if (request.request === 'poll' || (request.poll && !request.subscribe)) {
      this.poll();
      return;
    }
    if (!request.subscribe) throw invalidArgument('the first SubscribeRequest must carry a SubscriptionList (subscribe)');
    if (this.list) throw invalidArgument('this Subscribe call already has a SubscriptionList; open a new call for more paths');
    const list = request.subscribe;
    this.list = list;
    this.ietf = checkEncoding(list.encoding);
    this.target = fromWirePath(list.prefix).target;
    this.subscriptions = parseSubscriptions(list);
    for (const subscription of this.subscriptions) {
      if (list.updates_only) this.baseline(subscription);
      else this.emit(subscription, true);
    }
    this.write({ sync_response: true });
    const mode = list.mode ?? 'STREAM';
    if (mode === 'ONCE') {
      this.cleanup();
      this.call.end();
    } else if (mode === 'STREAM') {
      this.startStreaming();
    }
  }

  private poll(): void {
    if (!this.list) throw invalidArgument('Poll received before a SubscriptionList: subscribe first');
    if (this.list.mode !== 'POLL') throw invalidArgument(`Poll received on a ${this.list.mode ?? 'STREAM'} subscription`);
    for (const subscription of this.subscriptions) this.emit(subscription, true);
    this.write({ sync_response: true });
  }

  private startStreaming(): void {
    const onChange = this.subscriptions.filter((s) => s.mode === 'ON_CHANGE');
    if (onChange.length > 0) {
      this.unsubscribe = this.device.onChange(() => {
        if (!this.ended) for (const subscription of onChange) this.emit(subscription, false);
      });
    }
    for (const subscription of this.subscriptions) {
      if (subscription.mode === 'SAMPLE') {
        this.timers.push(
          setInterval(() => {
            if (this.ended) return;
            const heartbeatDue = subscription.heartbeatMs > 0 && Date.now() - subscription.lastFullSend >= subscription.heartbeatMs;
            this.emit(subscription, !subscription.suppressRedundant || heartbeatDue);
          }, subscription.sampleMs),
        );
      } else if (subscription.heartbeatMs > 0) {
        this.timers.push(
          setInterval(() => {
            if (!this.ended) this.emit(subscription, true);
          }, subscription.heartbeatMs),
        );
      }
    }
  }

  /** Sends all leaves (`full`) or only the changed ones, plus deletes of what vanished. */
  private emit(subscription: Subscription, full: boolean): void {
    const current = collectLeaves(this.device.view(), subscription.path, this.ietf);
    const updates: Leaf[] = [];
    for (const [key, leaf] of current) {
      if (full || subscription.last.get(key)?.json !== leaf.json) updates.push(leaf);
    }
    const removed = [...subscription.last.entries()].filter(([key]) => !current.has(key)).map(([, leaf]) => leaf);
    subscription.last = current;
    if (full) subscription.lastFullSend = Date.now();
    const deletes = removedPaths(removed, current, subscription.path.elems.length);
    for (const notification of this.notifications(updates, deletes)) this.write({ update: notification });
  }

  private baseline(subscription: Subscription): void {
    subscription.last = collectLeaves(this.device.view(), subscription.path, this.ietf);
    subscription.lastFullSend = Date.now();
  }

  /** Updates grouped by parent node, which becomes the notification prefix. */
  private notifications(updates: Leaf[], deletes: PathElem[][]): WireNotification[] {
    const timestamp = nowNs();
    const groups = new Map<string, { prefix: WirePath; update: WireUpdate[] }>();
    for (const leaf of updates) {
      const full = toWirePath(leaf.elems, this.ietf).elem!;
      const groupKey = formatPath({ elem: leaf.elems.slice(0, -1) });
      let group = groups.get(groupKey);
      if (!group) {
        const prefix: WirePath = { elem: full.slice(0, -1) };
        if (this.target) prefix.target = this.target;
        group = { prefix, update: [] };
        groups.set(groupKey, group);
      }
      group.update.push({ path: { elem: full.slice(-1) }, val: encodeJsonValue(leaf.value, this.ietf) });
    }
    const out: WireNotification[] = [...groups.values()].map((g) => ({ timestamp, prefix: g.prefix, update: g.update }));
    if (deletes.length > 0) {
      const notification: WireNotification = { timestamp, delete: deletes.map((elems) => toWirePath(elems, this.ietf)) };
      if (this.target) notification.prefix = { target: this.target };
      out.push(notification);
    }
    return out;
  }
}
