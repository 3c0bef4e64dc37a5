/**
 * The two small programs the images run besides the apps: the loopback relay
 * that makes device-sim reachable from other containers, and the probe every
 * HEALTHCHECK runs. Loopback only: the relay listens on 127.0.0.2 (loopback
 * too on Linux) and forwards to 127.0.0.1, as it forwards the container's
 * address to its loopback in Compose.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parsePortList, parseProbeArgs, probe, startRelay } from '../src';
import { parseRelayArgs } from '../src/loopback-relay';
import { ROOT } from './workspace';

const PROBE = path.join(ROOT, 'tools/deployment/dist/probe.js');

function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function roundTrip(host: string, port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.end(message));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('loopback relay', () => {
  it('serves a port held on 127.0.0.1 on another address, bytes unchanged, both ways', async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    const port = await listen(echo);
    const relay = await startRelay({ ports: [port], listenHosts: ['127.0.0.2'], targetHost: '127.0.0.1' });
    try {
      expect(relay.listening).toEqual([{ host: '127.0.0.2', port }]);
      const payload = `gNMI-ish ${'x'.repeat(200_000)} end`;
      const answer = await roundTrip('127.0.0.2', port, payload);
      expect({ length: answer.length, same: answer === payload }).toEqual({ length: payload.length, same: true });
    } finally {
      await relay.close();
      await close(echo);
    }
  });

  it('resets the client when nothing listens behind it, and keeps serving the next one', async () => {
    const placeholder = net.createServer();
    const port = await listen(placeholder);
    await close(placeholder);
    const relay = await startRelay({ ports: [port], listenHosts: ['127.0.0.2'], targetHost: '127.0.0.1' });
    try {
      await expect(roundTrip('127.0.0.2', port, 'hello')).resolves.toBe('');
      const echo = net.createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => echo.listen(port, '127.0.0.1', () => resolve()));
      expect(await roundTrip('127.0.0.2', port, 'again')).toBe('again');
      await close(echo);
    } finally {
      await relay.close();
    }
  });

  it('fails to start, naming the cause, when the address and port are taken', async () => {
    const taken = net.createServer();
    const port = await listen(taken, '127.0.0.2');
    try {
      await expect(startRelay({ ports: [port], listenHosts: ['127.0.0.2'], targetHost: '127.0.0.1' })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await close(taken);
    }
  });

  it('reads port lists and ranges, and names what it cannot read', () => {
    expect(parsePortList('57400-57402,9000')).toEqual([57400, 57401, 57402, 9000]);
    expect(() => parsePortList('57400-57399')).toThrow('"57400-57399" is not a port range within 1-65535');
    expect(() => parsePortList('ssh')).toThrow('"ssh" is not a port or a port range');
    expect(parseRelayArgs(['--ports', '1-2', '--listen', '127.0.0.2'])).toEqual({ ports: [1, 2], listenHosts: ['127.0.0.2'], targetHost: '127.0.0.1' });
    expect(() => parseRelayArgs(['--listen', '127.0.0.2'])).toThrow('--ports is required');
    expect(() => parseRelayArgs(['--ports', '1', '--bind', 'x'])).toThrow('unknown argument "--bind"');
  });
});

describe('HEALTHCHECK probe', () => {
  let server: http.Server;
  let port: number;
  let ready = false;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/readyz') response.writeHead(ready ? 200 : 503).end();
      else response.writeHead(404).end();
    });
    port = await listen(server);
  });
  afterAll(() => close(server));

  it('reads the address from the variable the app binds, probing a wildcard bind on loopback', () => {
    expect(parseProbeArgs(['http', '--address-from', 'SYNAPSE_HEALTH_ADDRESS', '--path', '/readyz'], { SYNAPSE_HEALTH_ADDRESS: '0.0.0.0:8080' })).toEqual({
      kind: 'http',
      host: '127.0.0.1',
      port: 8080,
      path: '/readyz',
      timeoutMs: 4000,
    });
    expect(parseProbeArgs(['tcp', '--port-from', 'SYNAPSE_CODEC_SERVER_PORT'], { SYNAPSE_CODEC_SERVER_PORT: '8888' })).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 8888 });
    expect(parseProbeArgs(['http', '--address', '[::]:9464'], {})).toMatchObject({ host: '127.0.0.1', port: 9464 });
  });

  it('names the variable when it is unset, and refuses what it does not understand', () => {
    expect(() => parseProbeArgs(['http', '--address-from', 'SYNAPSE_HEALTH_ADDRESS'], {})).toThrow('SYNAPSE_HEALTH_ADDRESS is not set: there is no endpoint to probe');
    expect(() => parseProbeArgs(['tcp', '--port-from', 'SYNAPSE_CODEC_SERVER_PORT'], { SYNAPSE_CODEC_SERVER_PORT: 'http' })).toThrow('SYNAPSE_CODEC_SERVER_PORT: "http" is not a port');
    expect(() => parseProbeArgs(['udp', '--address', '127.0.0.1:1'], {})).toThrow('the first argument is http or tcp');
    expect(() => parseProbeArgs(['http', '--path', 'readyz', '--address', '127.0.0.1:1'], {})).toThrow('--path must start with /');
  });

  it('is healthy only on a 2xx answer, and says what it saw otherwise', async () => {
    const args = parseProbeArgs(['http', '--address', `127.0.0.1:${port}`, '--path', '/readyz'], {});
    ready = false;
    expect(await probe(args)).toBe(`http://127.0.0.1:${port}/readyz answered 503`);
    ready = true;
    expect(await probe(args)).toBeUndefined();
    expect(await probe({ ...args, path: '/nope' })).toBe(`http://127.0.0.1:${port}/nope answered 404`);
  });

  it('as the image runs it: exit 0 when healthy, 1 with the reason when not, 2 on bad arguments', async () => {
    // Asynchronous: the server answering the probe runs in this process.
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [PROBE, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } }, (error, _stdout, stderr) => {
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
        });
      });
    ready = true;
    const healthy = await run(['http', '--address-from', 'SYNAPSE_HEALTH_ADDRESS', '--path', '/readyz'], { SYNAPSE_HEALTH_ADDRESS: `0.0.0.0:${port}` });
    expect({ status: healthy.status, stderr: healthy.stderr }).toEqual({ status: 0, stderr: '' });
    await close(server);
    const down = await run(['tcp', '--port-from', 'SYNAPSE_CODEC_SERVER_PORT'], { SYNAPSE_CODEC_SERVER_PORT: String(port) });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`probe: 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
    server = http.createServer();
    port = await listen(server);
    const unset = await run(['http', '--address-from', 'SYNAPSE_HEALTH_ADDRESS']);
    expect({ status: unset.status, stderr: unset.stderr }).toEqual({ status: 1, stderr: 'probe: SYNAPSE_HEALTH_ADDRESS is not set: there is no endpoint to probe\n' });
    expect((await run(['ping'])).status).toBe(2);
  });
});
