/**
 * Loaded by path (DataConverter.failureConverterPath) into the workflow
 * bundle as well as into workers and clients, so it imports nothing but
 * @temporalio/common: no Node built-ins, no I/O.
 *
 * Temporal keeps a failure's message and stack trace as plain text beside
 * the encoded payloads. A device refusing a config quotes the config in its
 * message, so with encryption on they move into the encoded attributes,
 * which the payload codec then encrypts like any other payload.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
