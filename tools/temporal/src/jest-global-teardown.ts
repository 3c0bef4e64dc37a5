import { SHARED_SERVER_KEY, type GlobalWithSharedServer } from './jest-shared-server';

/** Jest globalTeardown: stops the server globalSetup started, if it started one. */
export default async function stopTemporalForJest(): Promise<void> {
  const holder = globalThis as GlobalWithSharedServer;
  const server = holder[SHARED_SERVER_KEY];
  if (!server) return;
  delete holder[SHARED_SERVER_KEY];
  await server.stop();
  delete process.env.TEMPORAL_ADDRESS;
  delete process.env.TEMPORAL_NAMESPACE;
}
