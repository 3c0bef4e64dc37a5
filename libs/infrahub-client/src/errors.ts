import { ERROR_TYPES, SynapseError, type ErrorType } from '@synapse/contracts';

/**
 * Which call failed, in the words an operator searches for: the client
 * operation, the GraphQL operation it sent, the branch and the endpoint.
 */
export interface CallContext {
  /** Client method or auth step, e.g. `getDevice`, `login`. */
  operation: string;
  /** Name of the GraphQL operation sent, when there was one. */
  query?: string;
  /** Branch the call was made on; absent for the auth endpoints. */
  branch?: string;
  address: string;
  /** Path of the endpoint, e.g. `/graphql/change-42`. */
  endpoint: string;
}

export function where(ctx: CallContext): string {
  const query = ctx.query && ctx.query !== ctx.operation ? ` (query ${ctx.query})` : '';
  const branch = ctx.branch === undefined ? '' : ` on branch "${ctx.branch}"`;
  return `Infrahub ${ctx.operation}${query}${branch} at ${ctx.address}${ctx.endpoint}`;
}

export function contextDetails(ctx: CallContext): Record<string, unknown> {
  const details: Record<string, unknown> = { operation: ctx.operation, address: ctx.address, endpoint: ctx.endpoint };
  if (ctx.query) details.query = ctx.query;
  if (ctx.branch !== undefined) details.branch = ctx.branch;
  return details;
}

export function infrahubError(
  type: ErrorType,
  ctx: CallContext,
  reason: string,
  extra: Record<string, unknown> = {},
  cause?: Error,
): SynapseError {
  return new SynapseError(type, `${where(ctx)}: ${reason}`, { ...contextDetails(ctx), ...extra }, cause ? { cause } : undefined);
}

export function summary(type: ErrorType): string {
  return ERROR_TYPES[type].summary;
}

/**
 * got's errors keep the request options, headers and JSON body included, so
 * an X-INFRAHUB-KEY, a bearer token or a login password would ride along in
 * `cause` into logs and Temporal history. Only name, code and message are
 * carried over.
 */
export function sanitizedCause(err: unknown, redact: (text: string) => string): Error {
  if (!(err instanceof Error)) return new Error(redact(String(err)));
  const copy = new Error(redact(err.message));
  copy.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
}

/**
 * Removes known secrets from text that came from elsewhere (a server message,
 * a socket error). Servers do not normally echo credentials, but a proxy's
 * error page or a debug build might; the check costs nothing.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const present = secrets.filter((s) => s.length >= 4);
  return (text) => present.reduce((out, secret) => out.split(secret).join('***'), text);
}
