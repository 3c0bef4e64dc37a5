import * as http from 'node:http';
import * as https from 'node:https';
import got, { RequestError, TimeoutError, type Got } from 'got';
import { SynapseError } from '@synapse/contracts';
import type { InfrahubConfig } from './config';
import { infrahubError, sanitizedCause, type CallContext } from './errors';

/**
 * HTTP to Infrahub over got, with the retry policy of the whole client in one
 * place. It retries what is transient (429, 5xx, 408, connection failures,
 * timeouts) and hands every other answer, 401 and 404 included, to the caller
 * to interpret. got's own retry is off: its defaults skip POST, do not know
 * which of our POSTs are safe to repeat, and wait out any Retry-After however
 * long.
 */

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The decoded body; always set on a 2xx, set on other statuses when the body is JSON. */
  json?: unknown;
}

export interface PostRequest {
  path: string;
  /** A JSON object. Never an array: Infrahub refuses batched GraphQL with 400. */
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /**
   * Whether sending the request twice has the same effect as sending it once
   * (reads, updates that set absolute values). Requests that are not are
   * repeated only when the server provably did not act: a 429, or a
   * connection that was never established.
   */
  idempotent: boolean;
  ctx: CallContext;
}

/** Errors raised before a single byte reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const NOT_SENT_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);
/** Statuses a proxy or an overloaded server answers with; the next attempt may succeed. */
const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);

export class HttpTransport {
  readonly #config: InfrahubConfig;
  readonly #redact: (text: string) => string;
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });
  readonly #got: Got;
  readonly #sleepers = new Set<{ timer: NodeJS.Timeout; reject: () => void }>();
  #closed = false;

  constructor(config: InfrahubConfig, redact: (text: string) => string) {
    this.#config = config;
    this.#redact = redact;
    this.#got = got.extend({
      timeout: { lookup: config.timeoutMs, connect: config.timeoutMs, request: config.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      // A redirected POST would either lose its body or be replayed elsewhere.
      followRedirect: false,
      agent: { http: this.#httpAgent, https: this.#httpsAgent },
      headers: { accept: 'application/json', 'user-agent': 'synapse-infrahub-client' },
    });
  }

  async post(request: PostRequest): Promise<HttpResponse> {
    if (Array.isArray(request.body) || typeof request.body !== 'object' || request.body === null) {
      // A programming error, guarded here because the server's answer (400) would hide the cause.
      throw infrahubError('InvalidInput', request.ctx, 'request body must be one JSON object (batched GraphQL arrays are not sent)');
    }
    const { maxAttempts } = this.#config.retry;
    for (let attempt = 1; ; attempt++) {
      this.#assertOpen(request.ctx);
      let response: HttpResponse;
      try {
        response = await this.#send(request);
      } catch (err) {
        const failure = this.#classifyFailure(err, request, attempt);
        if (!failure.retry || attempt >= maxAttempts) throw failure.error;
        await this.#backoff(request.ctx, attempt, failure.reason);
        continue;
      }

      if (response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        if (retryAfterMs !== undefined && retryAfterMs > this.#config.retry.maxRetryAfterMs) {
          throw infrahubError(
            'InfrahubUnavailable',
            request.ctx,
            `shedding load (429) and asked to wait ${seconds(retryAfterMs)} s, longer than the ${seconds(this.#config.retry.maxRetryAfterMs)} s this client waits; try again later`,
            { status: 429, retryAfterMs, attempts: attempt, outcome: 'not-applied' },
          );
        }
        if (attempt >= maxAttempts) {
          throw infrahubError('InfrahubUnavailable', request.ctx, `still shedding load (429) after ${attempt} attempts`, {
            status: 429,
            retryAfterMs,
            attempts: attempt,
            outcome: 'not-applied',
          });
        }
        if (retryAfterMs === undefined) await this.#backoff(request.ctx, attempt, 'HTTP 429');
        else await this.#wait(request.ctx, retryAfterMs, attempt, 'HTTP 429 with Retry-After');
        continue;
      }

      if (TRANSIENT_STATUSES.has(response.status)) {
        const said = this.#serverSays(response);
        if (!request.idempotent) {
          // The server may have applied the write before failing; repeating it could apply it twice.
          throw infrahubError('InfrahubUnavailable', request.ctx, `HTTP ${response.status}${said}; the write was not repeated because its outcome is unknown`, {
            status: response.status,
            attempts: attempt,
            outcome: 'unknown',
          });
        }
        if (attempt >= maxAttempts) {
          throw infrahubError('InfrahubUnavailable', request.ctx, `HTTP ${response.status} after ${attempt} attempts${said}`, {
            status: response.status,
            attempts: attempt,
          });
        }
        await this.#backoff(request.ctx, attempt, `HTTP ${response.status}`);
        continue;
      }

      const decoded = decodeJson(response.body);
      if (decoded.ok) {
        response.json = decoded.value;
      } else if (response.status >= 200 && response.status < 300) {
        // A success whose body does not parse was cut off in transit (or came
        // from something that is not Infrahub): the server did act, so only a
        // read may be asked again.
        const start = JSON.stringify(response.body.trim().slice(0, 80));
        const type = String(response.headers['content-type'] ?? 'no content type');
        if (!request.idempotent) {
          throw infrahubError('InfrahubUnavailable', request.ctx, `answer (HTTP ${response.status}, ${type}) is not valid JSON: ${this.#redact(start)}; the write was not repeated because its outcome is unknown`, {
            status: response.status,
            attempts: attempt,
            outcome: 'unknown',
          });
        }
        if (attempt >= maxAttempts) {
          throw infrahubError('InfrahubUnavailable', request.ctx, `answers (HTTP ${response.status}, ${type}) were not valid JSON after ${attempt} attempts: ${this.#redact(start)}`, {
            status: response.status,
            attempts: attempt,
          });
        }
        await this.#backoff(request.ctx, attempt, `HTTP ${response.status} with a body that is not valid JSON`);
        continue;
      }
      return response;
    }
  }

  /** Releases pooled connections and fails any request waiting to retry. */
  close(): void {
    this.#closed = true;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.reject();
    }
    this.#sleepers.clear();
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  async #send(request: PostRequest): Promise<HttpResponse> {
    const response = await this.#got.post(`${this.#config.address}${request.path}`, {
      json: request.body,
      headers: request.headers,
      responseType: 'text',
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  #classifyFailure(err: unknown, request: PostRequest, attempt: number): { retry: boolean; reason: string; error: SynapseError } {
    const ctx = request.ctx;
    const cause = sanitizedCause(err, this.#redact);
    if (!(err instanceof RequestError)) {
      // Not a transport failure (a bug, a closed client): no retry can fix it.
      if (err instanceof SynapseError) return { retry: false, reason: err.message, error: err };
      return { retry: false, reason: cause.message, error: infrahubError('InfrahubUnavailable', ctx, cause.message, { attempts: attempt }, cause) };
    }
    const isTimeout = err instanceof TimeoutError;
    const notSent = isTimeout ? NOT_SENT_TIMEOUT_EVENTS.has(err.event) : NOT_SENT_CODES.has(err.code);
    const retry = request.idempotent || notSent;
    const what = isTimeout
      ? `no answer within ${seconds(this.#config.timeoutMs)} s (${err.event} timeout)`
      : `connection failed (${err.code}: ${this.#redact(err.message)})`;
    const outcome = notSent ? 'not-applied' : request.idempotent ? undefined : 'unknown';
    const tail = !retry
      ? '; the write was not repeated because its outcome is unknown'
      : attempt > 1
        ? ` after ${attempt} attempts`
        : '';
    const extra: Record<string, unknown> = { attempts: attempt, code: err.code };
    if (outcome) extra.outcome = outcome;
    return { retry, reason: what, error: infrahubError('InfrahubUnavailable', ctx, `${what}${tail}`, extra, cause) };
  }

  #serverSays(response: HttpResponse): string {
    const text = response.body.trim().replace(/\s+/g, ' ');
    return text ? `: ${this.#redact(text.slice(0, 200))}` : '';
  }

  async #backoff(ctx: CallContext, attempt: number, reason: string): Promise<void> {
    const { baseDelayMs, maxDelayMs } = this.#config.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Half fixed, half random: retries still spread out, yet each wait keeps a floor.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    await this.#wait(ctx, delay, attempt, reason);
  }

  async #wait(ctx: CallContext, delayMs: number, attempt: number, reason: string): Promise<void> {
    this.#config.logger?.warn(`Infrahub ${ctx.operation}: ${reason}; retrying in ${Math.round(delayMs)} ms`, {
      operation: ctx.operation,
      branch: ctx.branch,
      attempt,
      delayMs: Math.round(delayMs),
    });
    await new Promise<void>((resolve, reject) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve();
        }, delayMs),
        reject: () => reject(infrahubError('InvalidInput', ctx, `the Infrahub client was closed while waiting to retry (${reason})`)),
      };
      this.#sleepers.add(sleeper);
    });
  }

  #assertOpen(ctx: CallContext): void {
    if (this.#closed) throw infrahubError('InvalidInput', ctx, 'the Infrahub client is closed');
  }
}

function decodeJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; Date.parse alone would accept "-3" as a year.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
}
