import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';

/** An RPC failure with the canonical gRPC code gNMI prescribes for it. */
export class GnmiError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'GnmiError';
  }
}

export const invalidArgument = (message: string) => new GnmiError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new GnmiError(status.NOT_FOUND, message);
export const unimplemented = (message: string) => new GnmiError(status.UNIMPLEMENTED, message);
export const failedPrecondition = (message: string) => new GnmiError(status.FAILED_PRECONDITION, message);

export function toServiceError(error: unknown): ServiceError {
  const code = error instanceof GnmiError ? error.code : status.INTERNAL;
  const details = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}
