import { status } from '@grpc/grpc-js';
import { z } from 'zod';
import { interfaceKind, INTERFACE_NAME_HINT } from './interface-names';

/**
 * Fault injection: what a test can do to one simulated device, in process
 * (DeviceFaults) or over the HTTP control interface (same operations, the
 * schemas below check its bodies).
 */
export interface DeviceFaults {
  set(f: Partial<{ latencyMs: number; refuseConnections: boolean; holdBgpDown: boolean }>): void;
  /**
   * The next Set fails with this status, nothing applied. With `configOnly`
   * the next Set that carries config (deletes, replaces, updates) does:
   * a client's probe or confirm before it goes through untouched.
   */
  failNextSet(code: number, message?: string, options?: SetFaultTarget): void;
  /**
   * The connection of the next Set is torn down; after-apply means the Set
   * took effect first. Any Set counts, a commit-confirmed confirm or cancel
   * too, so a client can lose the answer to its confirm; with `configOnly`
   * only the next Set that carries config. Also takes `{ when, configOnly }`,
   * the HTTP body's shape.
   */
  dropNextSet(when: DropPoint | ({ when: DropPoint } & SetFaultTarget)): void;
  flapInterface(ifName: string, downMs: number): void;
  /** Stops listening, drops sessions, reverts a pending confirmed commit, comes back on the same port. */
  restart(downMs: number): Promise<void>;
  clear(): void;
}

export type DropPoint = 'before-apply' | 'after-apply';

/** Which Set a one-shot Set fault waits for: the next one, or the next one that carries config. */
export interface SetFaultTarget {
  configOnly?: boolean;
}

/** The live fault settings of one device. */
export class FaultState {
  latencyMs = 0;
  refuseConnections = false;
  holdBgpDown = false;
  failNextSet: { code: number; message: string; configOnly: boolean } | undefined;
  dropNextSet: { when: DropPoint; configOnly: boolean } | undefined;
  readonly flaps = new Map<string, NodeJS.Timeout>();

  describe() {
    return {
      latencyMs: this.latencyMs,
      refuseConnections: this.refuseConnections,
      holdBgpDown: this.holdBgpDown,
      failNextSet: this.failNextSet ?? null,
      dropNextSet: this.dropNextSet ?? null,
      flappingInterfaces: [...this.flaps.keys()],
    };
  }
}

const MAX_DURATION_MS = 24 * 60 * 60 * 1000;
const durationMs = z.number().int().min(0).max(MAX_DURATION_MS);

export const FaultSettings = z
  .object({
    latencyMs: durationMs.optional(),
    refuseConnections: z.boolean().optional(),
    holdBgpDown: z.boolean().optional(),
  })
  .strict();

const grpcStatusCodes = Object.values(status).filter((v): v is number => typeof v === 'number');

export const FailNextSet = z
  .object({
    code: z
      .number()
      .int()
      .refine((c) => c !== status.OK && grpcStatusCodes.includes(c), 'must be a gRPC status code other than OK (1..16)'),
    message: z.string().optional(),
    configOnly: z.boolean().optional(),
  })
  .strict();

export const DropNextSet = z.object({ when: z.enum(['before-apply', 'after-apply']), configOnly: z.boolean().optional() }).strict();

export const FlapInterface = z
  .object({
    interface: z.string().refine((name) => interfaceKind(name) !== undefined, `must be an interface name (${INTERFACE_NAME_HINT})`),
    downMs: durationMs,
  })
  .strict();

export const Restart = z.object({ downMs: durationMs }).strict();
