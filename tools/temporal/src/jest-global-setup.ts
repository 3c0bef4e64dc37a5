import { startServerForTests } from './test-server';
import { SHARED_SERVER_KEY, type GlobalWithSharedServer } from './jest-shared-server';

/**
 * Jest globalSetup for projects whose tests need Temporal. Under `npm test`
 * TEMPORAL_ADDRESS is already set (with-dev-server) and this does nothing;
 * for `nx test <project>` alone it starts one server for the run. Test
 * workers inherit the variables set here.
 */
export default async function startTemporalForJest(): Promise<void> {
  if (process.env.TEMPORAL_ADDRESS) return;
  const server = await startServerForTests();
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.TEMPORAL_NAMESPACE = server.namespace;
  (globalThis as GlobalWithSharedServer)[SHARED_SERVER_KEY] = server;
}
