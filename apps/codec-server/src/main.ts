#!/usr/bin/env node
/**
 * `node apps/codec-server/dist/main.js` (`nx serve codec-server`): decodes
 * Synapse's encrypted payloads for the Temporal Web UI and `temporal
 * --codec-endpoint`, with the keys the workers use. Prints one JSON line when
 * it listens; SIGINT/SIGTERM stop it (exit 0).
 */
import { AesGcmPayloadCodec, codecServerSettingsFromEnv, describeEncryption } from '@synapse/temporal-connection';
import { startCodecServer } from './server';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

async function main(): Promise<void> {
  const settings = codecServerSettingsFromEnv();
  const running = await startCodecServer({
    codec: new AesGcmPayloadCodec(settings.keyring),
    host: settings.host,
    port: settings.port,
    corsOrigins: settings.corsOrigins,
    ...(settings.authTokens ? { authTokens: settings.authTokens } : {}),
    log: (entry) => process.stderr.write(`${JSON.stringify({ service: 'codec-server', ...entry })}\n`),
  });
  if (!settings.authTokens && !LOOPBACK.has(settings.host)) {
    // Anyone who reaches the port can decrypt history: fine behind an authenticating proxy, not on an open network.
    process.stderr.write(`codec-server: listening on ${settings.host} without SYNAPSE_CODEC_AUTH_TOKENS_FILE: anyone who reaches it can decode payloads\n`);
  }
  process.stdout.write(
    `${JSON.stringify({
      service: 'codec-server',
      address: running.url,
      endpoints: ['/encode', '/decode'],
      corsOrigins: settings.corsOrigins,
      auth: settings.authTokens ? { bearerTokens: settings.authTokens.length, file: settings.authTokensFile } : 'none',
      encryption: describeEncryption(settings.keyring),
    })}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`codec-server: ${signal}, shutting down\n`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`codec-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
