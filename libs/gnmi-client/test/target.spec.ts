import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynapseError } from '@synapse/contracts';
import { GnmiClient, GnmiClientPool } from '../src/index';

const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function expectInvalidInput(make: () => unknown, message: RegExp, field?: string): void {
  let caught: unknown;
  try {
    make();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SynapseError);
  const error = caught as SynapseError;
  expect(error.type).toBe('InvalidInput');
  expect(error.retryable).toBe(false);
  expect(error.message).toMatch(message);
  if (field) expect(error.details.fields).toContain(field);
}

describe('target and option validation', () => {
  it('defaults to TLS (verified against the system trust store) and a 10 s deadline', () => {
    const client = new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57400' });
    expect(client.target).toEqual({ name: 'leaf01', address: '127.0.0.1:57400', transport: { mode: 'tls' }, timeoutMs: 10_000 });
    client.close();
  });

  it('names a TLS CA file that does not exist', () => {
    expectInvalidInput(
      () => new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57400', transport: { mode: 'tls', caFile: '/nonexistent/ca.pem' } }),
      /leaf01: TLS CA file \/nonexistent\/ca\.pem does not exist/,
      'transport.caFile',
    );
  });

  it('refuses a CA file that holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnmi-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, 'not a certificate');
    expectInvalidInput(() => new GnmiClient({ name: 'leaf01', address: 'leaf01:57400', transport: { mode: 'tls', caFile: file } }), /holds no PEM certificate/);
  });

  it('accepts a CA as a file or in memory, not both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnmi-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, CERT_PEM);
    new GnmiClient({ name: 'a', address: 'a:1', transport: { mode: 'tls', caFile: file, serverName: 'leaf01.lab' } }).close();
    new GnmiClient({ name: 'a', address: 'a:1', transport: { mode: 'tls', caPem: CERT_PEM } }).close();
    expectInvalidInput(() => new GnmiClient({ name: 'a', address: 'a:1', transport: { mode: 'tls', caFile: file, caPem: CERT_PEM } }), /caFile or caPem, not both/);
  });

  it.each([
    [{ name: 'leaf01', address: '127.0.0.1' }, /address: address must be host:port/],
    [{ name: 'bad name!', address: '127.0.0.1:1' }, /name: device name/],
    [{ name: 'leaf01', address: '127.0.0.1:1', timeoutMs: 0 }, /timeoutMs/],
    [{ name: 'leaf01', address: '127.0.0.1:1', transport: { mode: 'insecure' } }, /transport/],
  ])('rejects target %j naming the field', (target, message) => {
    expectInvalidInput(() => new GnmiClient(target as never), message);
  });

  it('validates credentials without echoing them', () => {
    let caught: SynapseError | undefined;
    try {
      new GnmiClient({ name: 'leaf01', address: '127.0.0.1:1' }, { username: '', password: 'NokiaSrl1!' });
    } catch (err) {
      caught = err as SynapseError;
    }
    expect(caught?.type).toBe('InvalidInput');
    expect(caught?.message).not.toContain('NokiaSrl1!');
  });

  it('never exposes the password through the client object', () => {
    const client = new GnmiClient({ name: 'leaf01', address: '127.0.0.1:1' }, { username: 'admin', password: 'NokiaSrl1!' });
    expect(JSON.stringify(client)).not.toContain('NokiaSrl1!');
    expect(require('node:util').inspect(client, { depth: 5 })).not.toContain('NokiaSrl1!');
    client.close();
  });

  it('validates client options', () => {
    expectInvalidInput(() => new GnmiClient({ name: 'a', address: 'a:1' }, undefined, { plaintextCredentialsSetting: '' }), /plaintextCredentialsSetting/);
    expectInvalidInput(() => new GnmiClient({ name: 'a', address: 'a:1' }, undefined, { keepaliveTimeMs: 1000 }), /keepaliveTimeMs/);
    expectInvalidInput(() => new GnmiClient({ name: 'a', address: 'a:1' }, undefined, { maxReceiveMessageBytes: -1 }), /maxReceiveMessageBytes/);
  });
});

describe('credentials over plaintext', () => {
  const credentials = { username: 'admin', password: 'NokiaSrl1!' };

  function refusal(make: () => unknown): SynapseError {
    try {
      make();
    } catch (err) {
      expect(err).toBeInstanceOf(SynapseError);
      return err as SynapseError;
    }
    throw new Error('expected the client to refuse');
  }

  it('refuses to send them unless the transport allows it, saying which device, where, over what and what would allow it', () => {
    const error = refusal(() => new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57401', transport: { mode: 'plaintext' } }, credentials));
    expect(error.type).toBe('TargetMisconfigured');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'leaf01 (127.0.0.1:57401): refusing to send the username and password over plaintext gNMI (transport mode plaintext), ' +
        'where anyone on the path can read them: use transport tls, or allow it explicitly with transport.allowCredentials: true',
    );
    expect(error.details).toEqual({ device: 'leaf01', address: '127.0.0.1:57401', transport: 'plaintext', setting: 'transport.allowCredentials: true' });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('NokiaSrl1!');
    // Saying no explicitly is the same refusal.
    expect(refusal(() => new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57401', transport: { mode: 'plaintext', allowCredentials: false } }, credentials)).type).toBe('TargetMisconfigured');
  });

  it("names the program's own setting when given one", () => {
    const setting = 'SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS=true';
    const error = refusal(() => new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57401', transport: { mode: 'plaintext' } }, credentials, { plaintextCredentialsSetting: setting }));
    expect(error.message).toMatch(/allow it explicitly with SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS=true$/);
    expect(error.details.setting).toBe(setting);
  });

  it('sends them over plaintext when allowed, and over TLS or skip-verify always', () => {
    for (const transport of [{ mode: 'plaintext', allowCredentials: true }, { mode: 'tls' }, { mode: 'skip-verify' }] as const) {
      new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57401', transport }, credentials).close();
    }
  });

  it('leaves a plaintext target without credentials alone: there is nothing to protect', () => {
    new GnmiClient({ name: 'leaf01', address: '127.0.0.1:57401', transport: { mode: 'plaintext' } }).close();
  });

  it('refuses through the pool too, without keeping a client', () => {
    const pool = new GnmiClientPool(() => credentials, { plaintextCredentialsSetting: 'the lab setting' });
    expect(refusal(() => pool.get({ name: 'leaf01', address: '127.0.0.1:57401', transport: { mode: 'plaintext' } })).message).toMatch(/with the lab setting$/);
    expect(pool.size).toBe(0);
    pool.close();
  });
});

describe('client pool', () => {
  it('returns one client per device while its target is unchanged', () => {
    const looked: string[] = [];
    const pool = new GnmiClientPool((name) => {
      looked.push(name);
      return { username: 'admin', password: 'x' };
    });
    const first = pool.get({ name: 'leaf01', address: '127.0.0.1:57400' });
    expect(pool.get({ name: 'leaf01', address: '127.0.0.1:57400', transport: { mode: 'tls' }, timeoutMs: 10_000 })).toBe(first);
    const other = pool.get({ name: 'leaf02', address: '127.0.0.1:57401' });
    expect(other).not.toBe(first);
    expect(pool.size).toBe(2);
    expect(looked).toEqual(['leaf01', 'leaf02']);

    const moved = pool.get({ name: 'leaf01', address: '127.0.0.1:57500' });
    expect(moved).not.toBe(first);
    expect(first.isClosed).toBe(true);

    moved.close();
    expect(pool.get({ name: 'leaf01', address: '127.0.0.1:57500' })).not.toBe(moved);
    pool.close();
    expect(other.isClosed).toBe(true);
    expect(pool.size).toBe(0);
  });
});
