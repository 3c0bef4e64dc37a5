/**
 * An error Infrahub would raise, with the HTTP status it maps to. Inside a
 * resolver it becomes an entry of the GraphQL `errors` list (HTTP 200);
 * outside (auth, branch lookup, request body) it is the response status.
 */
export class InfrahubError extends Error {
  constructor(
    message: string,
    readonly httpCode: number,
  ) {
    super(message);
    this.name = 'InfrahubError';
  }
}

/** Infrahub's ValidationError({field: message}): "<message> at <field>", HTTP 422. */
export function validationError(field: string, message: string): InfrahubError {
  return new InfrahubError(`${message} at ${field}`, 422);
}

export function nodeNotFound(identifier: string, kind: string): InfrahubError {
  return new InfrahubError(`Unable to find the node ${identifier} / ${kind} in the database.`, 404);
}

export function branchNotFound(name: string): InfrahubError {
  return new InfrahubError(`Branch: ${name} not found.`, 400);
}
