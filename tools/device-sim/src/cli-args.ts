/** Command line of `device-sim` (src/main.ts), parsed without dependencies. */
export interface CliOptions {
  topologyFile?: string;
  /** A tools/lab lab file (the generator's output): the devices, cabling and initial configs of that lab. */
  labFile?: string;
  host: string;
  basePort?: number;
  convergenceMs?: number;
  controlPort: number;
  tls?: 'self-signed';
  caFile?: string;
  /** Where each device keeps its config across restarts (`<dir>/<device>.json`). */
  stateDir?: string;
}

export const USAGE = `usage: device-sim [--topology <file.json> | --lab <lab.json>] [--host 127.0.0.1] [--base-port <n>]
                  [--convergence-ms <ms>] [--control-port <n>] [--tls self-signed] [--ca-file <path>]
                  [--state-dir <dir>]

  --topology        devices, credentials, links and initial config (default: the reference lab);
                    a lab file is recognised and served as --lab serves it
  --lab             a lab file from tools/lab (node tools/lab/dist/generate.js … [--brownfield]),
                    the same file the Infrahub simulator serves
  --base-port       device i listens on base+i (default: each device's topology port, else
                    ephemeral; the reference lab defaults to 57400)
  --convergence-ms  BGP establishment delay once both ends agree (default 3000)
  --control-port    HTTP control interface port (default 0 = ephemeral)
  --tls self-signed serve TLS with a generated CA; --ca-file writes that CA's PEM
  --state-dir       keep each device's config in <dir>/<device>.json across restarts, as a device
                    keeps its saved config across reboots: written after every commit, read at start
                    instead of the initial config (an unconfirmed commit-confirmed is not kept);
                    without it every start begins from the initial configs`;

export class UsageError extends Error {}

function port(flag: string, text: string): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value > 65535) throw new UsageError(`${flag} needs a port number 0..65535, got "${text}"`);
  return value;
}

export function parseCliArgs(argv: string[]): CliOptions {
  const options: CliOptions = { host: '127.0.0.1', controlPort: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--topology':
        options.topologyFile = value();
        break;
      case '--lab':
        options.labFile = value();
        break;
      case '--host':
        options.host = value();
        break;
      case '--base-port':
        options.basePort = port(flag, value());
        break;
      case '--convergence-ms': {
        const text = value();
        if (!/^[0-9]+$/.test(text)) throw new UsageError(`--convergence-ms needs a whole number of milliseconds, got "${text}"`);
        options.convergenceMs = Number(text);
        break;
      }
      case '--control-port':
        options.controlPort = port(flag, value());
        break;
      case '--tls': {
        const mode = value();
        if (mode !== 'self-signed') throw new UsageError(`--tls supports only "self-signed", got "${mode}"`);
        options.tls = mode;
        break;
      }
      case '--ca-file':
        options.caFile = value();
        break;
      case '--state-dir':
        options.stateDir = value();
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument "${flag}"`);
    }
  }
  if (options.topologyFile && options.labFile) throw new UsageError('give --topology or --lab, not both');
  return options;
}
