import * as path from 'node:path';
import { TASK_QUEUES } from '@synapse/contracts';
import { ConfigError, DEFAULT_SETTINGS, loadWorkerConfig } from '../src';

describe('loadWorkerConfig', () => {
  it("defaults to contracts' queue and a heartbeat every 2 s, well inside the profile's 10 s timeout", () => {
    expect(loadWorkerConfig({})).toEqual({ taskQueue: TASK_QUEUES.infrahub, settings: { heartbeatIntervalMs: 2000 }, documentDir: path.join(process.cwd(), '.data', 'documents') });
    expect(DEFAULT_SETTINGS.heartbeatIntervalMs).toBe(2000);
  });

  it('takes the queue and heartbeat interval from the environment', () => {
    expect(loadWorkerConfig({ SYNAPSE_INFRAHUB_TASK_QUEUE: ' tenant-b ', SYNAPSE_HEARTBEAT_INTERVAL_MS: '250' })).toMatchObject({ taskQueue: 'tenant-b', settings: { heartbeatIntervalMs: 250 } });
  });

  it('takes the document store from SYNAPSE_DOCUMENT_DIR, made absolute from the working directory', () => {
    expect(loadWorkerConfig({ SYNAPSE_DOCUMENT_DIR: '/srv/synapse/documents' }).documentDir).toBe('/srv/synapse/documents');
    expect(loadWorkerConfig({ SYNAPSE_DOCUMENT_DIR: 'shared/docs' }).documentDir).toBe(path.join(process.cwd(), 'shared', 'docs'));
    expect(loadWorkerConfig({ SYNAPSE_DOCUMENT_DIR: '  ' }).documentDir).toBe(path.join(process.cwd(), '.data', 'documents'));
  });

  it.each(['0', '1.5', 'soon', '600000'])('refuses SYNAPSE_HEARTBEAT_INTERVAL_MS=%s, naming the variable', (value) => {
    expect(() => loadWorkerConfig({ SYNAPSE_HEARTBEAT_INTERVAL_MS: value })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ SYNAPSE_HEARTBEAT_INTERVAL_MS: value })).toThrow(/SYNAPSE_HEARTBEAT_INTERVAL_MS must be a whole number from 100 to 60000/);
  });
});
