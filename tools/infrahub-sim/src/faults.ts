import { z } from 'zod';

/**
 * Trouble a client must survive, injected on purpose: slow answers, load
 * shedding (429 + Retry-After), server errors, and bodies cut off mid-JSON.
 * Counted faults hit the next N requests, then stop by themselves.
 */
export const FaultRequest = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    rateLimit: z.object({ count: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0).max(3600).default(1) }).strict().optional(),
    serverErrors: z.object({ count: z.number().int().min(0), status: z.number().int().min(500).max(599).default(503) }).strict().optional(),
    malformed: z.object({ count: z.number().int().min(0) }).strict().optional(),
  })
  .strict();
export type FaultRequest = z.input<typeof FaultRequest>;

export interface FaultState {
  latencyMs: number;
  rateLimit: { remaining: number; retryAfterSeconds: number };
  serverErrors: { remaining: number; status: number };
  malformed: { remaining: number };
}

export class Faults {
  private state: FaultState = Faults.none();

  private static none(): FaultState {
    return { latencyMs: 0, rateLimit: { remaining: 0, retryAfterSeconds: 1 }, serverErrors: { remaining: 0, status: 503 }, malformed: { remaining: 0 } };
  }

  /** Add to the current faults; settings not mentioned stay as they are. */
  set(request: FaultRequest): FaultState {
    const parsed = FaultRequest.parse(request);
    if (parsed.latencyMs !== undefined) this.state.latencyMs = parsed.latencyMs;
    if (parsed.rateLimit) this.state.rateLimit = { remaining: parsed.rateLimit.count, retryAfterSeconds: parsed.rateLimit.retryAfterSeconds };
    if (parsed.serverErrors) this.state.serverErrors = { remaining: parsed.serverErrors.count, status: parsed.serverErrors.status };
    if (parsed.malformed) this.state.malformed = { remaining: parsed.malformed.count };
    return this.snapshot();
  }

  latency(ms: number): void {
    this.set({ latencyMs: ms });
  }

  rateLimitNext(count: number, retryAfterSeconds = 1): void {
    this.set({ rateLimit: { count, retryAfterSeconds } });
  }

  failNext(count: number, status = 503): void {
    this.set({ serverErrors: { count, status } });
  }

  malformNext(count: number): void {
    this.set({ malformed: { count } });
  }

  clear(): FaultState {
    this.state = Faults.none();
    return this.snapshot();
  }

  snapshot(): FaultState {
    return JSON.parse(JSON.stringify(this.state)) as FaultState;
  }

  /** Consumed per request by the server, in this order. */
  get latencyMs(): number {
    return this.state.latencyMs;
  }

  takeRateLimit(): number | undefined {
    if (this.state.rateLimit.remaining <= 0) return undefined;
    this.state.rateLimit.remaining--;
    return this.state.rateLimit.retryAfterSeconds;
  }

  takeServerError(): number | undefined {
    if (this.state.serverErrors.remaining <= 0) return undefined;
    this.state.serverErrors.remaining--;
    return this.state.serverErrors.status;
  }

  takeMalformed(): boolean {
    if (this.state.malformed.remaining <= 0) return false;
    this.state.malformed.remaining--;
    return true;
  }
}
