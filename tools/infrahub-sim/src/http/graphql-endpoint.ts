import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Account, AuthService } from '../auth/auth-service';
import type { SimStore } from '../data/sim-store';
import { InfrahubError } from '../errors';
import type { Faults } from '../faults';
import type { SimContext } from '../graphql/context';
import { readBody } from './read-body';
import { sendJson } from './respond';

export interface GraphqlEndpointDeps {
  schema: GraphQLSchema;
  store: SimStore;
  auth: AuthService;
  faults: Faults;
}

/** GraphQL's own error shape (message, locations, path), plus Infrahub's status code for resolver errors. */
function formatError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const original = error.originalError;
  if (original instanceof InfrahubError) return { ...formatted, extensions: { ...formatted.extensions, code: original.httpCode } };
  return formatted;
}

/**
 * `POST /graphql[/<branch>]` in Infrahub's order: credentials (401), branch
 * (404), body (400: not JSON, batched, no query), GraphQL syntax and
 * validation (200 with errors), permission (401 anonymous, 403 read-only),
 * then execution, whose errors come back with HTTP 200.
 */
export async function handleGraphql(req: IncomingMessage, res: ServerResponse, deps: GraphqlEndpointDeps, account: Account | undefined, branchName: string, at?: string): Promise<void> {
  const branch = deps.store.branch(branchName);
  if (!branch) return sendJson(res, 404, { errors: [`Branch: ${branchName} not found.`] }, deps.faults);
  const atMs = at === undefined ? undefined : Date.parse(at);
  if (atMs !== undefined && Number.isNaN(atMs)) return sendJson(res, 422, { errors: [`Invalid time format for ${at}`] }, deps.faults);
  if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, deps.faults, { allow: 'POST' });

  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
  const text = await readBody(req);
  if (contentType !== 'application/json') return sendJson(res, 400, { errors: ['Content-type must be application/json or multipart/form-data'] }, deps.faults);
  let operation: unknown;
  try {
    operation = JSON.parse(text);
  } catch {
    return sendJson(res, 400, { errors: ['Request body is not a valid JSON'] }, deps.faults);
  }
  if (Array.isArray(operation)) return sendJson(res, 400, { errors: ['This server does not support batching'] }, deps.faults);
  if (typeof operation !== 'object' || operation === null || typeof (operation as { query?: unknown }).query !== 'string') {
    return sendJson(res, 400, { errors: ['Must provide query string.'] }, deps.faults);
  }
  const { query, variables, operationName } = operation as { query: string; variables?: unknown; operationName?: unknown };
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return sendJson(res, 400, { errors: ['Variables are invalid JSON.'] }, deps.faults);
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return sendJson(res, 400, { errors: ['operationName must be a string.'] }, deps.faults);
  }

  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return sendJson(res, 200, { data: null, errors: [formatError(error as GraphQLError)] }, deps.faults);
  }
  const operationAst = getOperationAST(document, operationName ?? undefined);
  deps.auth.authorize(account, operationAst?.operation === 'mutation');

  const validationErrors = validate(deps.schema, document);
  if (validationErrors.length) return sendJson(res, 200, { data: null, errors: validationErrors.map(formatError) }, deps.faults);

  const isMutation = operationAst?.operation === 'mutation';
  // The simulator cannot write into the past: a mutation at a point in time is refused, never applied now.
  if (isMutation && atMs !== undefined) return sendJson(res, 422, { errors: ['a mutation cannot be made at a point in time (?at=); the simulator only reads the past'] }, deps.faults);
  const now = new Date().toISOString();
  const contextValue: SimContext = { store: deps.store, branch: atMs === undefined ? branch : branch.asOf(atMs), model: deps.store.model, now };
  const run = () =>
    execute({
      schema: deps.schema,
      document,
      variableValues: (variables as Record<string, unknown> | undefined) ?? undefined,
      operationName: operationName ?? undefined,
      contextValue,
    });
  // Resolvers are synchronous, so one mutation is one write stamped with its time: every object it changes keeps its prior version.
  const result = await (isMutation ? deps.store.writeAt(now, run) : run());
  const body: { data: unknown; errors?: GraphQLFormattedError[] } = { data: result.data ?? null };
  if (result.errors?.length) body.errors = result.errors.map(formatError);
  sendJson(res, 200, body, deps.faults);
}
