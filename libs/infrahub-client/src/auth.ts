import { z } from 'zod';
import { SynapseError } from '@synapse/contracts';
import type { InfrahubAuth, InfrahubConfig } from './config';
import { infrahubError, type CallContext } from './errors';
import { errorMessages, parseJsonBody, parseShape } from './responses';
import type { HttpResponse, HttpTransport } from './transport';

/**
 * How requests are authenticated. The GraphQL layer asks for headers before
 * each request and, when a request comes back 401, asks whether fresh
 * credentials were obtained so the request can be replayed once.
 */
export interface Authenticator {
  readonly mode: InfrahubAuth['mode'];
  headers(): Promise<Record<string, string>>;
  /**
   * After a 401 to a request sent with `sentWith`: true when the request
   * should be replayed with new headers, false when the refusal is final.
   */
  renewAfter(sentWith: Record<string, string>, response: HttpResponse): Promise<boolean>;
  /** Every secret this authenticator holds, for redaction. */
  secrets(): string[];
}

export function createAuthenticator(config: InfrahubConfig, transport: HttpTransport): Authenticator {
  switch (config.auth.mode) {
    case 'token':
      return new TokenAuth(config.auth.apiToken);
    case 'password':
      return new PasswordAuth(config, config.auth.username, config.auth.password, transport);
    case 'none':
      return new NoAuth();
  }
}

/** API tokens do not expire on their own schedule; a 401 means the token is wrong or revoked. */
class TokenAuth implements Authenticator {
  readonly mode = 'token';
  constructor(private readonly token: string) {}
  async headers(): Promise<Record<string, string>> {
    return { 'X-INFRAHUB-KEY': this.token };
  }
  async renewAfter(): Promise<boolean> {
    return false;
  }
  secrets(): string[] {
    return [this.token];
  }
}

class NoAuth implements Authenticator {
  readonly mode = 'none';
  async headers(): Promise<Record<string, string>> {
    return {};
  }
  async renewAfter(): Promise<boolean> {
    return false;
  }
  secrets(): string[] {
    return [];
  }
}

const LoginResponse = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1) });
/** Infrahub's refresh returns a new access token only; the refresh token stays valid until it expires. */
const RefreshResponse = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1).optional() });

/** The message Infrahub (PyJWT) gives for an access token past its expiry. */
export const EXPIRED_SIGNATURE = 'Expired Signature';

/**
 * Username/password: log in for an access and a refresh token, send the
 * access token as a bearer token, and on expiry refresh it (or, when the
 * refresh token is refused too, log in again), as the Infrahub SDK does.
 * One renewal serves every request that was refused meanwhile: a burst of
 * concurrent requests hitting expiry together logs in once, not N times.
 */
class PasswordAuth implements Authenticator {
  readonly mode = 'password';
  readonly #config: InfrahubConfig;
  readonly #username: string;
  readonly #password: string;
  readonly #transport: HttpTransport;
  #accessToken: string | undefined;
  #refreshToken: string | undefined;
  #pending: Promise<void> | undefined;

  constructor(config: InfrahubConfig, username: string, password: string, transport: HttpTransport) {
    this.#config = config;
    this.#username = username;
    this.#password = password;
    this.#transport = transport;
  }

  async headers(): Promise<Record<string, string>> {
    if (this.#accessToken === undefined) await this.#once(() => this.#login());
    return { Authorization: `Bearer ${this.#accessToken}` };
  }

  async renewAfter(sentWith: Record<string, string>, response: HttpResponse): Promise<boolean> {
    const current = this.#accessToken === undefined ? undefined : `Bearer ${this.#accessToken}`;
    // Another request already renewed the token this one was sent with.
    if (current !== undefined && sentWith.Authorization !== current) return true;
    const expired = errorMessages(response.json).some((m) => m.includes(EXPIRED_SIGNATURE));
    await this.#once(async () => {
      if (expired && this.#refreshToken !== undefined && (await this.#refresh())) return;
      // Not an expiry (the server forgot its sessions, the key rotated) or the
      // refresh token was refused too: only a fresh login can help.
      await this.#login();
    });
    return true;
  }

  secrets(): string[] {
    return [this.#password, this.#accessToken, this.#refreshToken].filter((s): s is string => s !== undefined);
  }

  async #once(renew: () => Promise<void>): Promise<void> {
    if (!this.#pending) {
      this.#pending = renew().finally(() => {
        this.#pending = undefined;
      });
    }
    await this.#pending;
  }

  async #login(): Promise<void> {
    const ctx = this.#ctx('login', '/api/auth/login');
    this.#accessToken = undefined;
    const response = await this.#transport.post({
      path: ctx.endpoint,
      body: { username: this.#username, password: this.#password },
      idempotent: true,
      ctx,
    });
    if (response.status < 200 || response.status >= 300) {
      throw this.#refused(ctx, response, `login as "${this.#username}" was refused`);
    }
    const tokens = parseShape(LoginResponse, parseJsonBody(response, ctx), ctx);
    this.#accessToken = tokens.access_token;
    this.#refreshToken = tokens.refresh_token;
    this.#config.logger?.debug?.(`Infrahub: logged in as ${this.#username}`, { operation: 'login' });
  }

  /** true when refreshed; false when the refresh token was refused and a login is needed. */
  async #refresh(): Promise<boolean> {
    const ctx = this.#ctx('refresh', '/api/auth/refresh');
    const response = await this.#transport.post({
      path: ctx.endpoint,
      body: {},
      headers: { Authorization: `Bearer ${this.#refreshToken}` },
      idempotent: true,
      ctx,
    });
    if (response.status >= 400 && response.status < 500) {
      this.#config.logger?.warn('Infrahub: refresh token refused; logging in again', { operation: 'refresh', status: response.status });
      this.#refreshToken = undefined;
      return false;
    }
    if (response.status < 200 || response.status >= 300) {
      throw this.#refused(ctx, response, 'token refresh failed');
    }
    const tokens = parseShape(RefreshResponse, parseJsonBody(response, ctx), ctx);
    this.#accessToken = tokens.access_token;
    if (tokens.refresh_token) this.#refreshToken = tokens.refresh_token;
    this.#config.logger?.debug?.('Infrahub: access token refreshed', { operation: 'refresh' });
    return true;
  }

  #refused(ctx: CallContext, response: HttpResponse, what: string): SynapseError {
    const messages = errorMessages(response.json);
    const said = messages.length ? `: ${messages.join('; ')}` : '';
    // Infrahub answers an unknown user with 404 and a wrong password with 401.
    const type = [401, 403, 404, 422].includes(response.status) ? 'AuthFailed' : 'InfrahubQueryFailed';
    return infrahubError(type, ctx, `${what} (HTTP ${response.status})${said}`, { status: response.status, messages });
  }

  #ctx(operation: string, endpoint: string): CallContext {
    return { operation, address: this.#config.address, endpoint };
  }
}
