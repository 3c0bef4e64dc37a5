import type { z } from 'zod';
import type { Authenticator } from './auth';
import type { InfrahubConfig } from './config';
import { infrahubError, type CallContext } from './errors';
import { errorMessages, GraphqlEnvelope, parseJsonBody, parseShape } from './responses';
import type { HttpResponse, HttpTransport } from './transport';

export interface GraphqlCall<S extends z.ZodType> {
  /** Client method on whose behalf the call is made; names the call in errors. */
  operation: string;
  document: string;
  variables?: Record<string, unknown>;
  /** Branch to run on; the configured default branch when absent. */
  branch?: string;
  /** Read the branch as it was at this time (Infrahub's `?at=` time travel); now when absent. */
  at?: string;
  /** Safe to send twice (queries, absolute updates); see HttpTransport. */
  idempotent: boolean;
  /** Shape of `data`. */
  data: S;
}

/**
 * Runs one GraphQL document against the branch's endpoint and turns every
 * way it can fail into a typed error: refused credentials, an unknown
 * branch, GraphQL errors in a 200, an unexpected shape.
 */
export class GraphqlExecutor {
  constructor(
    private readonly config: InfrahubConfig,
    private readonly transport: HttpTransport,
    private readonly auth: Authenticator,
  ) {}

  /**
   * The endpoint of a branch. A call naming no branch goes to the default
   * branch: `/graphql` (the server's own default) unless a default branch was
   * configured, in which case that branch is addressed by name.
   */
  endpoint(branch: string | undefined): { path: string; branch: string } {
    if (branch === undefined && !this.config.defaultBranchConfigured) return { path: '/graphql', branch: this.config.defaultBranch };
    const name = branch ?? this.config.defaultBranch;
    // Branch names may hold "/" (feature/x): it must stay inside one path segment.
    return { path: `/graphql/${encodeURIComponent(name)}`, branch: name };
  }

  async execute<S extends z.ZodType>(call: GraphqlCall<S>): Promise<z.infer<S>> {
    const { path, branch } = this.endpoint(call.branch);
    const query = operationName(call.document);
    const ctx: CallContext = { operation: call.operation, query, branch, address: this.config.address, endpoint: path };
    const body = { query: call.document, variables: call.variables ?? {}, operationName: query };

    let replayed = false;
    for (;;) {
      const headers = await this.auth.headers();
      const response = await this.transport.post({ path: call.at === undefined ? path : `${path}?at=${encodeURIComponent(call.at)}`, body, headers: { ...headers }, idempotent: call.idempotent, ctx });
      if (response.status === 401 && !replayed && (await this.auth.renewAfter(headers, response))) {
        // The server refused the request before running it, so replaying a mutation is safe.
        replayed = true;
        continue;
      }
      return this.interpret(response, call, ctx);
    }
  }

  private interpret<S extends z.ZodType>(response: HttpResponse, call: GraphqlCall<S>, ctx: CallContext): z.infer<S> {
    const { status } = response;
    if (status === 401 || status === 403) {
      const messages = errorMessages(response.json);
      const said = messages.length ? `: ${messages.join('; ')}` : '';
      const what =
        status === 401
          ? `credentials refused (HTTP 401, auth mode ${this.auth.mode})`
          : `permission denied (HTTP 403, auth mode ${this.auth.mode})`;
      return fail(infrahubError('AuthFailed', ctx, `${what}${said}`, { status, messages }));
    }
    if (status === 404) {
      const messages = errorMessages(response.json);
      if (ctx.endpoint !== '/graphql' || messages.some(isBranchNotFound)) {
        return fail(branchNotFound(ctx, status, messages));
      }
      return fail(infrahubError('InfrahubQueryFailed', ctx, 'no GraphQL endpoint here (HTTP 404); is INFRAHUB_ADDRESS the Infrahub server?', { status }));
    }
    if (status < 200 || status >= 300) {
      const messages = errorMessages(response.json);
      if (messages.some(isBranchNotFound)) return fail(branchNotFound(ctx, status, messages));
      const said = messages.length ? `: ${messages.join('; ')}` : '';
      return fail(infrahubError('InfrahubQueryFailed', ctx, `request refused (HTTP ${status})${said}`, { status, messages }));
    }

    const envelope = parseShape(GraphqlEnvelope, parseJsonBody(response, ctx), ctx);
    if (envelope.errors && envelope.errors.length > 0) {
      const messages = errorMessages(envelope);
      if (messages.some(isBranchNotFound)) return fail(branchNotFound(ctx, status, messages));
      return fail(
        infrahubError('InfrahubQueryFailed', ctx, `GraphQL errors: ${messages.join('; ')}`, { status, messages, graphqlErrors: envelope.errors }),
      );
    }
    if (envelope.data === undefined || envelope.data === null) {
      return fail(infrahubError('InfrahubQueryFailed', ctx, 'unexpected response shape: data: missing', { status, fields: ['data'] }));
    }
    return parseShape(call.data, envelope.data, ctx, 'data');
  }
}

function branchNotFound(ctx: CallContext, status: number, messages: string[]) {
  const said = messages.length ? ` (${messages.join('; ')})` : '';
  return infrahubError('BranchNotFound', ctx, `branch "${ctx.branch}" does not exist${said}`, { status, messages });
}

/** Infrahub's BranchNotFoundError reads "Branch: <name> not found." */
function isBranchNotFound(message: string): boolean {
  return /\bbranch\b.*\bnot found\b/i.test(message);
}

function operationName(document: string): string | undefined {
  return /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(document)?.[1];
}

function fail(err: Error): never {
  throw err;
}
