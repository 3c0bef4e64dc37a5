import { GnmiClient } from './client';
import { parseTarget, type GnmiClientOptions, type GnmiCredentials, type GnmiTargetInput } from './target';

/** Finds a device's credentials by name (environment, a file, a secret store); undefined for none. */
export type CredentialsLookup = (deviceName: string) => GnmiCredentials | undefined;

/**
 * One client, hence one channel, per device for the life of a worker, so
 * activities reuse the established (authenticated, TLS-negotiated)
 * connection instead of paying for a new one on every call. Credentials are
 * looked up here, by name, so they never travel in activity arguments.
 */
export class GnmiClientPool {
  readonly #clients = new Map<string, { client: GnmiClient; targetKey: string }>();

  constructor(
    private readonly credentialsFor: CredentialsLookup,
    private readonly options?: GnmiClientOptions,
  ) {}

  /**
   * The device's client. The same instance while the target is unchanged; a
   * changed target (new address, transport or timeout) or a client closed by
   * its user gets a fresh one, and the old channel is closed.
   */
  get(targetInput: GnmiTargetInput): GnmiClient {
    const target = parseTarget(targetInput);
    const targetKey = JSON.stringify(target);
    const pooled = this.#clients.get(target.name);
    if (pooled && pooled.targetKey === targetKey && !pooled.client.isClosed) return pooled.client;
    pooled?.client.close();
    const client = new GnmiClient(target, this.credentialsFor(target.name), this.options);
    this.#clients.set(target.name, { client, targetKey });
    return client;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Closes one device's channel (after it was decommissioned, say). */
  release(deviceName: string): void {
    this.#clients.get(deviceName)?.client.close();
    this.#clients.delete(deviceName);
  }

  close(): void {
    for (const { client } of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
