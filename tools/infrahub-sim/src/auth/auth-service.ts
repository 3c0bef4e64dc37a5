import { randomBytes, timingSafeEqual } from 'node:crypto';
import { newId, stableId } from '../data/ids';
import { InfrahubError } from '../errors';
import { signJwt, verifyJwt } from './jwt';

/** An API token; a bare string is a read-write token of the `admin` account. */
export interface ApiTokenSpec {
  token: string;
  account?: string;
  readOnly?: boolean;
}

export interface UserSpec {
  username: string;
  password: string;
  readOnly?: boolean;
}

export interface AuthOptions {
  tokens: (string | ApiTokenSpec)[];
  users: UserSpec[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Infrahub's `allow_anonymous_access`: reads without credentials. Mutations always need them. */
  allowAnonymousRead: boolean;
}

export interface Account {
  id: string;
  name: string;
  readOnly: boolean;
}

export interface Credentials {
  apiKey?: string;
  bearer?: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const unauthorized = (message: string) => new InfrahubError(message, 401);

/**
 * Infrahub's authentication as its API shows it: API tokens in
 * X-INFRAHUB-KEY, or login for a JWT pair (access + refresh) with the messages
 * its clients branch on, "Expired Signature" above all (the Python SDK logs
 * in again when it sees it).
 */
export class AuthService {
  private readonly secret = randomBytes(32);
  /** Refresh-token sessions still valid (logout removes them). */
  private readonly sessions = new Map<string, { account: Account; expiresAtMs: number }>();
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly options: AuthOptions,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private account(name: string, readOnly: boolean): Account {
    const id = stableId('CoreAccount', name);
    let account = this.accounts.get(id);
    if (!account) this.accounts.set(id, (account = { id, name, readOnly }));
    return account;
  }

  private issue(account: Account, type: 'access' | 'refresh', sessionId: string, ttlSeconds: number): string {
    const now = this.nowMs() / 1000;
    return signJwt({ sub: account.id, iat: Math.floor(now), nbf: Math.floor(now), exp: now + ttlSeconds, fresh: false, type, session_id: sessionId }, this.secret);
  }

  login(username: string, password: string): { access_token: string; refresh_token: string } {
    const user = this.options.users.find((u) => u.username === username);
    // Infrahub answers an unknown user with NodeNotFoundError (404), a wrong password with 401.
    if (!user) throw new InfrahubError("That login user doesn't exist in the system", 404);
    if (!sameSecret(user.password, password)) throw unauthorized('Incorrect password');
    const account = this.account(user.username, user.readOnly ?? false);
    const sessionId = newId();
    this.sessions.set(sessionId, { account, expiresAtMs: this.nowMs() + this.options.refreshTokenTtlSeconds * 1000 });
    return {
      access_token: this.issue(account, 'access', sessionId, this.options.accessTokenTtlSeconds),
      refresh_token: this.issue(account, 'refresh', sessionId, this.options.refreshTokenTtlSeconds),
    };
  }

  refresh(bearer: string | undefined): { access_token: string } {
    if (!bearer) throw unauthorized('A refresh token is required to perform this operation.');
    const check = verifyJwt(bearer, this.secret, this.nowMs());
    if (!check.ok) throw unauthorized(check.reason === 'expired' ? 'Expired Signature' : 'Invalid token');
    if (check.claims.type !== 'refresh') throw unauthorized('Invalid token, current token is not a refresh token');
    const session = this.sessions.get(check.claims.session_id);
    if (!session) throw unauthorized('The provided refresh token has been invalidated in the database');
    return { access_token: this.issue(session.account, 'access', check.claims.session_id, this.options.accessTokenTtlSeconds) };
  }

  /** Ends the session of an access token: its refresh token stops working. */
  logout(credentials: Credentials): void {
    const account = this.authenticate(credentials);
    if (!account || !credentials.bearer) throw unauthorized('Authentication is required to perform this operation');
    const check = verifyJwt(credentials.bearer, this.secret, this.nowMs());
    if (check.ok) this.sessions.delete(check.claims.session_id);
  }

  /**
   * Who is calling: an account, or undefined for an anonymous caller. Bad
   * credentials fail here (401) before anything else is looked at, as in
   * Infrahub, where the API key wins over a bearer token.
   */
  authenticate(credentials: Credentials): Account | undefined {
    if (credentials.apiKey !== undefined) {
      const spec = this.options.tokens.map((t) => (typeof t === 'string' ? { token: t } : t)).find((t) => sameSecret(t.token, credentials.apiKey!));
      if (!spec) throw unauthorized('Invalid token');
      return this.account(spec.account ?? 'admin', spec.readOnly ?? false);
    }
    if (credentials.bearer !== undefined) {
      const check = verifyJwt(credentials.bearer, this.secret, this.nowMs());
      if (!check.ok) throw unauthorized(check.reason === 'expired' ? 'Expired Signature' : 'Invalid token');
      if (check.claims.type !== 'access') throw unauthorized('Invalid token, current token is not an access token');
      const account = [...this.accounts.values()].find((a) => a.id === check.claims.sub);
      if (!account) throw unauthorized('Invalid token');
      return account;
    }
    return undefined;
  }

  /** Infrahub's permission checkers: anonymous reads only when allowed, writes need a read-write account. */
  authorize(account: Account | undefined, wantsToWrite: boolean): void {
    if (!account) {
      if (wantsToWrite || !this.options.allowAnonymousRead) throw unauthorized('Authentication is required to perform this operation');
      return;
    }
    if (wantsToWrite && account.readOnly) throw new InfrahubError('The current account is not authorized to perform this operation', 403);
  }
}
