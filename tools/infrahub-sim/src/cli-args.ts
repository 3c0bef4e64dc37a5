/** Command line of `infrahub-sim` (src/main.ts), parsed without dependencies. */
export interface CliOptions {
  labFile?: string;
  host: string;
  port: number;
  allowAnonymousRead: boolean;
}

/** Infrahub's own port, so INFRAHUB_ADDRESS=http://127.0.0.1:8000 works as with a local Infrahub. */
export const DEFAULT_PORT = 8000;

export const USAGE = `usage: infrahub-sim [--lab <lab.json>] [--host 127.0.0.1] [--port <n>] [--allow-anonymous-read]

  --lab                   lab file (node tools/lab/dist/generate.js writes one); default: the reference lab
  --port                  listen port (default ${DEFAULT_PORT}; 0 = ephemeral)
  --allow-anonymous-read  serve queries without credentials, like Infrahub's allow_anonymous_access
environment:
  INFRAHUB_SIM_TOKEN      API token to accept (default: the documented lab token)
  INFRAHUB_SIM_USERNAME / INFRAHUB_SIM_PASSWORD   login (default admin / infrahub)`;

export class UsageError extends Error {}

export function parseCliArgs(argv: string[]): CliOptions {
  const options: CliOptions = { host: '127.0.0.1', port: DEFAULT_PORT, allowAnonymousRead: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--lab':
        options.labFile = value();
        break;
      case '--host':
        options.host = value();
        break;
      case '--port': {
        const text = value();
        if (!/^[0-9]+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port needs a port number 0..65535, got "${text}"`);
        options.port = Number(text);
        break;
      }
      case '--allow-anonymous-read':
        options.allowAnonymousRead = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument "${flag}"`);
    }
  }
  return options;
}
