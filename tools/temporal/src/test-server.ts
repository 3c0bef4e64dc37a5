import { startDevServer, type DevServer } from './dev-server';
import { resolveTemporalCli } from './temporal-cli';

/**
 * The one Temporal server a test run shares: headless, on a free port, on a
 * throwaway database. The CLI is obtained here — before any test starts —
 * so no test ever waits on a download.
 */
export async function startServerForTests(): Promise<DevServer> {
  const cli = await resolveTemporalCli({ obtainIfMissing: true });
  return startDevServer({ cliPath: cli.path, headless: true, logLevel: 'error' });
}
