import { randomBytes } from 'node:crypto';
import { isSynapseError } from '@synapse/contracts';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { ENCODED_FAILURE_CONVERTER_PATH } from './data-converter';
import { temporalEnvironmentFromEnv, workerConnectionOptionsFromEnv } from './connect';

describe('one environment for a worker or a client', () => {
  it('gives the connection options, namespace and data converter Worker.create needs', () => {
    const options = workerConnectionOptionsFromEnv({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'network',
      TEMPORAL_API_KEY: 'k-123',
      SYNAPSE_ENCRYPTION_KEYS: `2025=${randomBytes(32).toString('base64')}`,
    });
    expect(options.connectionOptions).toEqual({ address: 'temporal.internal:7233', tls: {}, apiKey: 'k-123' });
    expect(options.namespace).toBe('network');
    expect(options.dataConverter?.payloadCodecs?.[0]).toBeInstanceOf(AesGcmPayloadCodec);
    expect(options.dataConverter?.failureConverterPath).toBe(ENCODED_FAILURE_CONVERTER_PATH);
    expect(options.describe()).toEqual({
      address: 'temporal.internal:7233',
      namespace: 'network',
      tls: { serverCa: 'system CAs' },
      apiKey: 'set',
      encryption: { activeKeyId: '2025', keyIds: ['2025'] },
    });
    expect(JSON.stringify(options.describe())).not.toContain('k-123');
  });

  it('is plaintext without a data converter when nothing is configured', () => {
    const options = workerConnectionOptionsFromEnv({});
    expect(options.connectionOptions).toEqual({ address: 'localhost:7233' });
    expect(options.dataConverter).toBeUndefined();
  });

  it('reports connection and encryption problems together, as one InvalidInput', () => {
    let error: unknown;
    try {
      temporalEnvironmentFromEnv({ TEMPORAL_TLS: 'sometimes', SYNAPSE_ENCRYPTION_KEY_ID: 'k9' });
    } catch (err) {
      error = err;
    }
    expect(isSynapseError(error, 'InvalidInput')).toBe(true);
    expect((error as Error).message).toContain('Temporal connection settings: TEMPORAL_TLS must be true or false (got "sometimes")');
    expect((error as Error).message).toContain('Payload encryption settings: SYNAPSE_ENCRYPTION_KEY_ID is set but no key is');
  });
});
