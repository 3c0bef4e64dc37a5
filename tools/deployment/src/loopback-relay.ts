#!/usr/bin/env node
/**
 * `node tools/deployment/dist/loopback-relay.js --ports 57400-57402,9000
 * [--listen <address>]... [--target 127.0.0.1]`: the device-sim-gateway of
 * docker-compose.yml. It shares device-sim's network namespace and serves
 * the simulator's loopback-only ports on the container's own address
 * (default: every non-loopback IPv4 address), so the device-worker reaches
 * `device-sim:57400`. Prints one JSON line when listening; SIGTERM/SIGINT
 * stop it with exit 0.
 */
import { externalIpv4Addresses, parsePortList, startRelay, type Relay } from './relay';

const USAGE = 'usage: loopback-relay --ports <ports, e.g. 57400-57402,9000> [--listen <address>]... [--target <address, default 127.0.0.1>]';

class UsageError extends Error {}

interface RelayArgs {
  ports: number[];
  listenHosts: string[];
  targetHost: string;
}

export function parseRelayArgs(argv: readonly string[]): RelayArgs {
  let ports: number[] | undefined;
  const listenHosts: string[] = [];
  let targetHost = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--ports') {
      try {
        ports = parsePortList(value());
      } catch (err) {
        throw new UsageError(`--ports: ${(err as Error).message}`);
      }
    } else if (flag === '--listen') listenHosts.push(value());
    else if (flag === '--target') targetHost = value();
    else throw new UsageError(`unknown argument "${flag}"`);
  }
  if (!ports) throw new UsageError('--ports is required');
  return { ports, listenHosts, targetHost };
}

async function main(argv: string[]): Promise<void> {
  const args = parseRelayArgs(argv);
  const listenHosts = args.listenHosts.length > 0 ? args.listenHosts : externalIpv4Addresses();
  if (listenHosts.length === 0) throw new Error('this container has no non-loopback IPv4 address to listen on; pass --listen');
  let relay: Relay | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`loopback-relay: ${signal}, stopping\n`);
    void (relay?.close() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  relay = await startRelay({ ports: args.ports, listenHosts, targetHost: args.targetHost });
  process.stdout.write(`${JSON.stringify({ service: 'loopback-relay', listening: relay.listening.map((l) => `${l.host}:${l.port}`), target: args.targetHost })}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`loopback-relay: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
