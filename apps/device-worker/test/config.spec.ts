import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isSynapseError } from '@synapse/contracts';
import { loadWorkerConfig, DEFAULT_BACKUP_DIR } from '../src/config';
import { loadDeviceCredentials } from '../src/credentials';
import { loadInventoryFile, parseInventory, StaticDeviceDirectory } from '../src/device-directory';

describe('worker configuration from the environment', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'device-worker-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('credentials', () => {
    it("a device's own entry in the credentials file wins over default, which wins over the environment pair", () => {
      const credentialsFile = file('creds.json', JSON.stringify({ default: { username: 'ops', password: 'd3fault' }, leaf01: { username: 'admin', password: 'l3af' } }));
      const credentials = loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: credentialsFile, SYNAPSE_DEVICE_USERNAME: 'env', SYNAPSE_DEVICE_PASSWORD: 'env-pass' });
      expect(credentials.lookup('leaf01')).toEqual({ username: 'admin', password: 'l3af' });
      expect(credentials.lookup('spine01')).toEqual({ username: 'ops', password: 'd3fault' });
      expect(credentials.describe()).not.toMatch(/l3af|d3fault|env-pass/);
      const envOnly = loadDeviceCredentials({ SYNAPSE_DEVICE_USERNAME: 'env', SYNAPSE_DEVICE_PASSWORD: 'env-pass' });
      expect(envOnly.lookup('anything')).toEqual({ username: 'env', password: 'env-pass' });
    });

    it('a device nothing covers fails with AuthFailed naming the device and where to put its credentials', () => {
      const credentialsFile = file('creds.json', JSON.stringify({ leaf01: { username: 'admin', password: 's3cret' } }));
      const credentials = loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: credentialsFile });
      let error: unknown;
      try {
        credentials.lookup('spine01');
      } catch (err) {
        error = err;
      }
      expect(isSynapseError(error, 'AuthFailed')).toBe(true);
      expect((error as Error).message).toBe(`no credentials for device spine01: set an entry "spine01" or "default" in SYNAPSE_DEVICE_CREDENTIALS_FILE (${credentialsFile}) or SYNAPSE_DEVICE_USERNAME/SYNAPSE_DEVICE_PASSWORD`);
      expect((error as Error).message).not.toContain('s3cret');
    });

    it('a broken credentials file stops the worker at startup without quoting any of it', () => {
      const broken = file('broken.json', '{"leaf01": {"username": "admin", "password": "pa55word" ');
      expect(() => loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: broken })).toThrow(/is not valid JSON$/);
      const wrongShape = file('shape.json', JSON.stringify({ leaf01: { user: 'admin', password: 'pa55word' } }));
      expect(() => loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: wrongShape })).toThrow(/check leaf01\.username, leaf01/);
      try {
        loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: wrongShape });
      } catch (err) {
        expect((err as Error).message).not.toContain('pa55word');
      }
      expect(() => loadDeviceCredentials({ SYNAPSE_DEVICE_CREDENTIALS_FILE: path.join(dir, 'missing.json') })).toThrow(/cannot read .*missing\.json \(ENOENT\)/);
      expect(() => loadDeviceCredentials({ SYNAPSE_DEVICE_USERNAME: 'admin' })).toThrow(/set both or neither/);
    });
  });

  describe('device inventory', () => {
    it('reads the JSON object form with per-device transport and deadline, defaults for the rest', () => {
      const inventory = file(
        'inventory.json',
        JSON.stringify({ spine01: { address: '127.0.0.1:57400', transport: { mode: 'skip-verify' }, timeoutMs: 3000 }, leaf01: { address: 'leaf01.lab:57400' } }),
      );
      const directory = loadInventoryFile(inventory, { transport: { mode: 'tls', caFile: '/etc/ca.pem' }, timeoutMs: 9000 });
      expect(directory.resolve('spine01')).toEqual({ name: 'spine01', address: '127.0.0.1:57400', transport: { mode: 'skip-verify' }, timeoutMs: 3000 });
      expect(directory.resolve('leaf01')).toEqual({ name: 'leaf01', address: 'leaf01.lab:57400', transport: { mode: 'tls', caFile: '/etc/ca.pem' }, timeoutMs: 9000 });
    });

    it("lets credentials go over plaintext only where allowed: an entry's own word first, else the worker-wide setting", () => {
      const entries = parseInventory(
        JSON.stringify({
          a: { address: '10.0.0.1:57401', transport: { mode: 'plaintext' } },
          b: { address: '10.0.0.2:57401', transport: { mode: 'plaintext', allowCredentials: false } },
          c: { address: '10.0.0.3:57401', transport: { mode: 'plaintext', allowCredentials: true } },
          d: { address: '10.0.0.4:57400' },
        }),
      );
      const lab = new StaticDeviceDirectory(entries, { transport: { mode: 'plaintext' }, allowPlaintextCredentials: true, timeoutMs: 1000 });
      expect(['a', 'b', 'c', 'd'].map((device) => lab.resolve(device).transport)).toEqual([
        { mode: 'plaintext', allowCredentials: true },
        { mode: 'plaintext', allowCredentials: false },
        { mode: 'plaintext', allowCredentials: true },
        { mode: 'plaintext', allowCredentials: true },
      ]);
      const secure = new StaticDeviceDirectory(entries);
      expect(['a', 'b', 'c', 'd'].map((device) => secure.resolve(device).transport)).toEqual([
        { mode: 'plaintext' },
        { mode: 'plaintext', allowCredentials: false },
        { mode: 'plaintext', allowCredentials: true },
        { mode: 'tls' },
      ]);
    });

    it("takes the device simulator's stdout as it is, skipping its control line", () => {
      const simOutput = [
        '{"device":"spine01","address":"127.0.0.1:57400"}',
        '{"device":"leaf01","address":"127.0.0.1:57401"}',
        '{"service":"device-sim-control","address":"http://127.0.0.1:40601"}',
        '',
      ].join('\n');
      const directory = new StaticDeviceDirectory(parseInventory(simOutput));
      expect(directory.devices()).toEqual(['spine01', 'leaf01']);
      expect(directory.resolve('leaf01')).toMatchObject({ address: '127.0.0.1:57401', transport: { mode: 'tls' } });
    });

    it('an unknown device is a non-retryable error naming it; a bad entry fails at startup naming device and field', () => {
      const directory = new StaticDeviceDirectory(parseInventory('{"device":"spine01","address":"127.0.0.1:57400"}'), undefined, 'the device inventory /etc/inv.json');
      let error: unknown;
      try {
        directory.resolve('leaf09');
      } catch (err) {
        error = err;
      }
      expect(isSynapseError(error, 'InvalidInput')).toBe(true);
      expect((error as Error & { retryable: boolean }).retryable).toBe(false);
      expect((error as Error).message).toBe('device leaf09 is not in the device inventory /etc/inv.json (it lists spine01)');
      expect(() => parseInventory(JSON.stringify({ leaf01: { address: 'no-port' } }), 'inv.json')).toThrow(/inv\.json: device "leaf01": address: address must be host:port/);
      expect(() => parseInventory('{"device":"leaf01","address":"127.0.0.1:1"}\nnot json', 'inv.json')).toThrow(/inv\.json line 2: not a JSON object/);
      expect(() => new StaticDeviceDirectory({ 'bad name!': { address: '127.0.0.1:1' } })).toThrow(/device "bad name!" is not valid \(name\)/);
    });
  });

  describe('loadWorkerConfig', () => {
    it('defaults: local Temporal, the device task queue, backups under the workspace .data, gNMI over verified TLS, no credentials over plaintext', () => {
      const config = loadWorkerConfig({});
      expect(config).toEqual({
        temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'device-operations', urgentTaskQueue: 'device-operations-urgent' },
        backupDir: DEFAULT_BACKUP_DIR,
        documentDir: path.resolve('.data', 'documents'),
        directoryDefaults: { transport: { mode: 'tls' }, allowPlaintextCredentials: false, timeoutMs: 10_000 },
        settings: { heartbeatIntervalMs: 2000, resubscribeIntervalMs: 1000 },
      });
      expect(DEFAULT_BACKUP_DIR).toBe(path.resolve(__dirname, '..', '..', '..', '.data', 'backups'));
    });

    it('reads every variable, and refuses values that cannot work, naming the variable', () => {
      const config = loadWorkerConfig({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'network',
        SYNAPSE_DEVICE_TASK_QUEUE: 'device-operations-site-b',
        SYNAPSE_DEVICE_URGENT_TASK_QUEUE: 'device-operations-site-b-urgent',
        SYNAPSE_BACKUP_DIR: '/srv/backups',
        SYNAPSE_DOCUMENT_DIR: '/srv/documents',
        SYNAPSE_DEVICE_INVENTORY: '/etc/synapse/inventory.json',
        SYNAPSE_GNMI_TRANSPORT: 'tls',
        SYNAPSE_GNMI_CA_FILE: '/etc/synapse/ca.pem',
        SYNAPSE_GNMI_TIMEOUT_MS: '15000',
        SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'true',
        SYNAPSE_HEARTBEAT_INTERVAL_MS: '1000',
        SYNAPSE_RESUBSCRIBE_INTERVAL_MS: '500',
      });
      expect(config).toEqual({
        temporal: { address: 'temporal.internal:7233', namespace: 'network', taskQueue: 'device-operations-site-b', urgentTaskQueue: 'device-operations-site-b-urgent' },
        backupDir: '/srv/backups',
        documentDir: '/srv/documents',
        inventoryFile: '/etc/synapse/inventory.json',
        directoryDefaults: { transport: { mode: 'tls', caFile: '/etc/synapse/ca.pem' }, allowPlaintextCredentials: true, timeoutMs: 15_000 },
        settings: { heartbeatIntervalMs: 1000, resubscribeIntervalMs: 500 },
      });
      expect(() => loadWorkerConfig({ SYNAPSE_GNMI_TRANSPORT: 'insecure' })).toThrow(/SYNAPSE_GNMI_TRANSPORT must be plaintext, skip-verify or tls/);
      expect(() => loadWorkerConfig({ SYNAPSE_GNMI_TRANSPORT: 'plaintext', SYNAPSE_GNMI_CA_FILE: '/ca.pem' })).toThrow(/only used with SYNAPSE_GNMI_TRANSPORT=tls/);
      expect(loadWorkerConfig({ SYNAPSE_GNMI_CA_FILE: '/ca.pem' }).directoryDefaults.transport).toEqual({ mode: 'tls', caFile: '/ca.pem' });
      expect(() => loadWorkerConfig({ SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'sure' })).toThrow(/SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS must be true or false/);
      expect(() => loadWorkerConfig({ SYNAPSE_HEARTBEAT_INTERVAL_MS: 'soon' })).toThrow(/SYNAPSE_HEARTBEAT_INTERVAL_MS must be a whole number/);
    });
  });
});
