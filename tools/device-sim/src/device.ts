import { Server, status, type Metadata, type ServerCredentials } from '@grpc/grpc-js';
import { gnmiServiceConstructor } from '@synapse/gnmi-client';
import { CommitConfirmed } from './commit-confirmed';
import { renderNode } from './encoding';
import { GnmiError } from './errors';
import { FaultState, type DeviceFaults, type DropPoint, type SetFaultTarget } from './faults';
import { createGnmiService } from './gnmi-service';
import type { SavedConfigs } from './saved-config';
import { SRL_SCHEMA } from './srl-model';
import { buildView, type OperState, type StateEngine, type StateSubject } from './state';
import { DeviceListener } from './transport';
import type { JsonObject } from './tree';

/** Full configs can exceed gRPC's 4 MB default; gnmic allows 512 MB. */
export const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

export interface DeviceOptions {
  name: string;
  credentials: { username: string; password: string };
  host: string;
  port: number;
  config: JsonObject;
  engine: StateEngine;
  serverCredentials: ServerCredentials;
  /** With `--state-dir`: where the device saves the config it boots with; `config` is what it last saved, if anything. */
  savedConfigs?: SavedConfigs;
}

/** A live Subscribe call, so a restart or shutdown can end it with a status. */
export interface StreamHandle {
  end(code: status, details: string): void;
}

/** Sleeps that a shutdown can cut short, so nothing awaits a device that is gone. */
class Sleeps {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  wakeAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}

/**
 * One simulated SR Linux: running config, derived state, faults, the
 * pending confirmed commit, and its own gRPC server on its own port.
 */
export class SimDevice implements StateSubject {
  readonly name: string;
  readonly faultState = new FaultState();
  readonly commits: CommitConfirmed;
  readonly streams = new Set<StreamHandle>();
  readonly listener: DeviceListener;
  config: JsonObject;
  up = true;

  private readonly credentials: { username: string; password: string };
  private readonly engine: StateEngine;
  private operState: OperState | undefined;
  private viewCache: JsonObject | undefined;
  private readonly changeListeners = new Set<() => void>();
  private notifyScheduled = false;
  private restarting: Promise<void> | undefined;
  private readonly sleeps = new Sleeps();
  private stopped = false;
  private readonly savedConfigs: SavedConfigs | undefined;
  /** What is on disk (or, with no file yet, the initial config): nothing to write while it is still what a reboot brings back. */
  private lastSaved: JsonObject;

  constructor(options: DeviceOptions) {
    this.name = options.name;
    this.credentials = options.credentials;
    this.config = options.config;
    this.engine = options.engine;
    this.savedConfigs = options.savedConfigs;
    this.lastSaved = options.config;
    this.commits = new CommitConfirmed((rollback) => this.revertUnconfirmed(rollback));
    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    });
    server.addService(gnmiServiceConstructor().service, createGnmiService(this));
    this.listener = new DeviceListener(server, options.serverCredentials, options.host, options.port);
  }

  get address(): string {
    const host = this.listener.host.includes(':') ? `[${this.listener.host}]` : this.listener.host;
    return `${host}:${this.listener.port}`;
  }

  // ---- StateSubject ----------------------------------------------------------

  get holdBgpDown(): boolean {
    return this.faultState.holdBgpDown;
  }

  isFlapping(interfaceName: string): boolean {
    return this.faultState.flaps.has(interfaceName);
  }

  applyOperState(state: OperState): void {
    this.operState = state;
    this.changed();
  }

  // ---- data ------------------------------------------------------------------

  /** Config plus derived state, rebuilt lazily after any change. */
  view(): JsonObject {
    this.viewCache ??= buildView(this.config, this.operState);
    return this.viewCache;
  }

  /** The state leaves (and list keys) only, unprefixed. */
  stateTree(): JsonObject {
    return (renderNode(SRL_SCHEMA, this.view(), { ietf: false, type: 'STATE' }) as JsonObject | undefined) ?? {};
  }

  /** A Set, and a confirmed commit cancelled or run out, change running config here. */
  commitConfig(next: JsonObject): void {
    this.config = next;
    this.changed();
    this.engine.deviceChanged(this.name);
    this.save();
  }

  confirmCommit(id: string): void {
    this.commits.confirm(id);
    this.save();
  }

  private revertUnconfirmed(rollback: JsonObject): void {
    try {
      this.commitConfig(rollback);
    } catch (error) {
      // A timer has no caller to answer: say it, and keep serving.
      process.stderr.write(`device-sim: ${(error as Error).message}\n`);
    }
  }

  /**
   * Keeps on disk what a reboot brings back: the running config, except
   * while a confirmed commit waits, when that is the config it would revert
   * to (a reboot, like the `restart` fault, reverts an unconfirmed commit).
   */
  private save(): void {
    if (!this.savedConfigs) return;
    const boot = this.commits.rollbackPoint ?? this.config;
    if (boot === this.lastSaved) return;
    this.savedConfigs.write(this.name, boot);
    this.lastSaved = boot;
  }

  /** Called (batched, asynchronously) after config or state changed. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    this.viewCache = undefined;
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of [...this.changeListeners]) listener();
    });
  }

  // ---- RPC entry -------------------------------------------------------------

  /** Per-RPC credentials check (gNMI 3.1): `username` / `password` metadata. */
  authenticate(metadata: Metadata): void {
    const username = metadata.get('username')[0];
    const password = metadata.get('password')[0];
    if (username === undefined || password === undefined) {
      throw new GnmiError(status.UNAUTHENTICATED, 'missing credentials: send "username" and "password" gRPC metadata');
    }
    if (String(username) !== this.credentials.username || String(password) !== this.credentials.password) {
      throw new GnmiError(status.UNAUTHENTICATED, `authentication failed for user "${String(username)}"`);
    }
  }

  /** The injected latency, before the RPC does anything. */
  async delay(): Promise<void> {
    const ms = this.faultState.latencyMs;
    if (ms > 0) await this.sleeps.sleep(ms);
  }

  // ---- lifecycle and faults ----------------------------------------------------

  async start(): Promise<void> {
    await this.syncListening(false);
  }

  private async syncListening(retryBusyPort = true): Promise<void> {
    if (!this.stopped && this.up && !this.faultState.refuseConnections) await this.listener.listen(retryBusyPort);
    else this.listener.stopListening();
  }

  private relisten(): void {
    this.syncListening().catch((error: Error) => {
      process.stderr.write(`device-sim: ${this.name} could not listen on ${this.address} again: ${error.message}\n`);
    });
  }

  setFaults(settings: Partial<{ latencyMs: number; refuseConnections: boolean; holdBgpDown: boolean }>): void {
    if (settings.latencyMs !== undefined) this.faultState.latencyMs = settings.latencyMs;
    if (settings.refuseConnections !== undefined) {
      this.faultState.refuseConnections = settings.refuseConnections;
      this.relisten();
    }
    if (settings.holdBgpDown !== undefined && settings.holdBgpDown !== this.faultState.holdBgpDown) {
      this.faultState.holdBgpDown = settings.holdBgpDown;
      this.engine.deviceChanged(this.name);
    }
  }

  failNextSet(code: number, message?: string, options: SetFaultTarget = {}): void {
    this.faultState.failNextSet = { code, message: message ?? `injected failure (code ${code})`, configOnly: options.configOnly ?? false };
  }

  dropNextSet(when: DropPoint | ({ when: DropPoint } & SetFaultTarget)): void {
    this.faultState.dropNextSet = typeof when === 'string' ? { when, configOnly: false } : { when: when.when, configOnly: when.configOnly ?? false };
  }

  flapInterface(interfaceName: string, downMs: number): void {
    clearTimeout(this.faultState.flaps.get(interfaceName));
    const timer = setTimeout(() => {
      this.faultState.flaps.delete(interfaceName);
      this.engine.deviceChanged(this.name);
    }, downMs);
    timer.unref();
    this.faultState.flaps.set(interfaceName, timer);
    this.engine.deviceChanged(this.name);
  }

  /** A device restart: sessions dropped, pending commit reverted, back on the same port after downMs. */
  restart(downMs: number): Promise<void> {
    this.restarting ??= this.runRestart(downMs).finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  private async runRestart(downMs: number): Promise<void> {
    this.up = false;
    const rollback = this.commits.takeRollback();
    if (rollback) this.config = rollback;
    this.save();
    this.endStreams(status.UNAVAILABLE, `device ${this.name} is restarting`);
    // Let the UNAVAILABLE statuses reach clients before the connections go.
    await this.sleeps.sleep(20);
    if (this.stopped) return;
    this.listener.stopListening();
    this.changed();
    this.engine.deviceChanged(this.name);
    await this.sleeps.sleep(downMs);
    if (this.stopped) return;
    this.up = true;
    this.changed();
    this.engine.deviceChanged(this.name);
    await this.syncListening();
  }

  clearFaults(): void {
    const wasRefusing = this.faultState.refuseConnections;
    const hadBgpHeldOrFlaps = this.faultState.holdBgpDown || this.faultState.flaps.size > 0;
    for (const timer of this.faultState.flaps.values()) clearTimeout(timer);
    this.faultState.flaps.clear();
    this.faultState.latencyMs = 0;
    this.faultState.refuseConnections = false;
    this.faultState.holdBgpDown = false;
    this.faultState.failNextSet = undefined;
    this.faultState.dropNextSet = undefined;
    if (wasRefusing) this.relisten();
    if (hadBgpHeldOrFlaps) this.engine.deviceChanged(this.name);
  }

  faults(): DeviceFaults {
    return {
      set: (settings) => this.setFaults(settings),
      failNextSet: (code, message, options) => this.failNextSet(code, message, options),
      dropNextSet: (when) => this.dropNextSet(when),
      flapInterface: (name, downMs) => this.flapInterface(name, downMs),
      restart: (downMs) => this.restart(downMs),
      clear: () => this.clearFaults(),
    };
  }

  endStreams(code: status, details: string): void {
    for (const stream of [...this.streams]) stream.end(code, details);
    this.streams.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeps.wakeAll();
    for (const timer of this.faultState.flaps.values()) clearTimeout(timer);
    this.faultState.flaps.clear();
    this.commits.stop();
    this.changeListeners.clear();
    this.endStreams(status.UNAVAILABLE, `device ${this.name} is shutting down`);
    await this.listener.shutdown();
  }
}
