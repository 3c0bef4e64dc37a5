export {
  TEMPORAL_CONNECTION_VARIABLES,
  TemporalConnectionEnv,
  temporalConnectionSettingsFromEnv,
  describeTemporalConnection,
  connectionSummary,
  transportSummary,
  type TemporalConnectionSettings,
  type TemporalTlsSettings,
  type TemporalConnectionDescription,
} from './connection-settings';
export {
  ENCRYPTION_VARIABLES,
  AES_256_KEY_BYTES,
  encryptionKeyringFromEnv,
  createEncryptionKeyring,
  describeEncryption,
  type EncryptionKeyring,
  type EncryptionDescription,
} from './encryption-keys';
export {
  AesGcmPayloadCodec,
  PayloadDecryptionError,
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
  isEncrypted,
  type PayloadDecryptionProblem,
} from './aes-gcm-codec';
export { encryptAtRest, decryptAtRest, isEncryptedAtRest, AtRestDecryptionError, type AtRestDecryptionProblem } from './encryption-at-rest';
export { dataConverterFromEnv, encryptingDataConverter, ENCODED_FAILURE_CONVERTER_PATH } from './data-converter';
export {
  temporalEnvironmentFromEnv,
  workerConnectionOptionsFromEnv,
  connectWorker,
  connectClient,
  nativeConnectionOptions,
  clientConnectionOptions,
  connectionHint,
  connectionFailure,
  TemporalConnectionError,
  type TemporalEnvironment,
  type TemporalDescription,
  type WorkerConnectionOptions,
  type WorkerTemporal,
  type ClientTemporal,
  type ConnectClientOptions,
} from './connect';
export type { Env } from './env';
export type { Payload, PayloadCodec } from '@temporalio/common';
export {
  CODEC_SERVER_VARIABLES,
  DEFAULT_CODEC_SERVER_HOST,
  DEFAULT_CODEC_SERVER_PORT,
  DEFAULT_CODEC_CORS_ORIGINS,
  codecServerSettingsFromEnv,
  type CodecServerSettings,
} from './codec-server-settings';
export { PayloadsJson, payloadsFromJson, payloadsToJson, type PayloadsParse } from './payload-json';
