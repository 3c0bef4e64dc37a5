import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { encryptionKeyringFromEnv, type EncryptionKeyring } from './encryption-keys';
import type { Env } from './env';

/**
 * The failure converter that moves error messages and stack traces into the
 * (encrypted) encoded attributes. A worker given a prebuilt workflow bundle
 * must have passed this path to bundleWorkflowCode({ failureConverterPath });
 * a worker with workflowsPath picks it up from the data converter.
 */
export const ENCODED_FAILURE_CONVERTER_PATH = require.resolve('./encoded-failure-converter');

/** The data converter for a keyring: the AES-256-GCM codec, and failures encoded so the codec covers their text. */
export function encryptingDataConverter(keyring: EncryptionKeyring): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keyring)], failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH };
}

/**
 * What every worker and client passes as `dataConverter`: encryption when
 * keys are configured (SYNAPSE_ENCRYPTION_KEYS_FILE / SYNAPSE_ENCRYPTION_KEYS),
 * otherwise undefined, the SDK's plain JSON.
 */
export function dataConverterFromEnv(env: Env = process.env): DataConverter | undefined {
  const keyring = encryptionKeyringFromEnv(env);
  return keyring ? encryptingDataConverter(keyring) : undefined;
}
