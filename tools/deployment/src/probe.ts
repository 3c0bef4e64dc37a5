#!/usr/bin/env node
/**
 * The images' HEALTHCHECK: `node tools/deployment/dist/probe.js`
 *   http --address-from SYNAPSE_HEALTH_ADDRESS --path /readyz   a worker that polls (C's /readyz)
 *   http --address 127.0.0.1:9000 --path /devices             a simulator's endpoint
 *   tcp  --port-from SYNAPSE_CODEC_SERVER_PORT                 something accepts connections
 * Reading the address from the same variable the app binds keeps the probe
 * right when an operator moves the port. A wildcard bind address (0.0.0.0,
 * ::) is probed on loopback. Exit 0 healthy, 1 not (the reason on stderr),
 * 2 bad arguments. Plain Node: the runtime images have no curl.
 */
import * as net from 'node:net';

export interface ProbeArgs {
  kind: 'http' | 'tcp';
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
}

export class ProbeUsageError extends Error {}

export function parseProbeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ProbeArgs {
  const [kind, ...rest] = argv;
  if (kind !== 'http' && kind !== 'tcp') throw new ProbeUsageError(`the first argument is http or tcp, got ${JSON.stringify(kind)}`);
  let address: string | undefined;
  let port: number | undefined;
  let path = '/';
  let timeoutMs = 4000;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const next = rest[++i];
      if (next === undefined || next.startsWith('--')) throw new ProbeUsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--address':
        address = value();
        break;
      case '--address-from': {
        const name = value();
        address = env[name]?.trim();
        if (!address) throw new Error(`${name} is not set: there is no endpoint to probe`);
        break;
      }
      case '--port-from': {
        const name = value();
        const text = env[name]?.trim();
        if (!text) throw new Error(`${name} is not set: there is no port to probe`);
        port = portNumber(text, name);
        break;
      }
      case '--path':
        path = value();
        if (!path.startsWith('/')) throw new ProbeUsageError(`--path must start with /, got ${path}`);
        break;
      case '--timeout-ms':
        timeoutMs = Number(value());
        if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ProbeUsageError('--timeout-ms needs a whole number above 0');
        break;
      default:
        throw new ProbeUsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (address !== undefined) {
    const colon = address.lastIndexOf(':');
    if (colon <= 0 && !address.startsWith(':')) throw new Error(`${address} is not host:port`);
    return { kind, host: probeHost(address.slice(0, colon)), port: portNumber(address.slice(colon + 1), address), path, timeoutMs };
  }
  if (port !== undefined) return { kind, host: '127.0.0.1', port, path, timeoutMs };
  throw new ProbeUsageError('give --address, --address-from or --port-from');
}

/** Where to knock for a server bound to `host`: the wildcard is reached on loopback. */
function probeHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === '' || bare === '0.0.0.0' || bare === '::' ? '127.0.0.1' : bare;
}

function portNumber(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`${what}: ${JSON.stringify(text)} is not a port`);
  return port;
}

/** Resolves with undefined when healthy, or the reason it is not. */
export async function probe(args: ProbeArgs): Promise<string | undefined> {
  if (args.kind === 'tcp') {
    return new Promise((resolve) => {
      const socket = net.connect({ host: args.host, port: args.port });
      socket.setTimeout(args.timeoutMs, () => {
        socket.destroy();
        resolve(`no connection to ${args.host}:${args.port} within ${args.timeoutMs} ms`);
      });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (err) => resolve(`${args.host}:${args.port}: ${err.message}`));
    });
  }
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  const url = `http://${host}:${args.port}${args.path}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(args.timeoutMs) });
    await response.arrayBuffer();
    return response.ok ? undefined : `${url} answered ${response.status}`;
  } catch (err) {
    return `${url}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

if (require.main === module) {
  let args: ProbeArgs;
  try {
    args = parseProbeArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`probe: ${(err as Error).message}\n`);
    process.exit(err instanceof ProbeUsageError ? 2 : 1);
  }
  void probe(args).then((problem) => {
    if (problem) process.stderr.write(`probe: ${problem}\n`);
    process.exit(problem ? 1 : 0);
  });
}
