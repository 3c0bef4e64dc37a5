import { ManagedChild } from '../managed-child';

export interface JsonLineChildOptions {
  /** Prefix for the lines it prints that are not for us. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Sees every JSON object the child prints on stdout; true once it is ready. */
  isReady(message: Record<string, unknown>): boolean;
  readyTimeoutMs: number;
}

/**
 * Starts a child that announces itself with one JSON object per stdout line
 * (the simulators do) and resolves with the child and every announcement up
 * to the one that says it is ready. Anything else it prints goes to our
 * console, prefixed with its name, so a person still sees its logs.
 */
export async function startJsonLineChild(options: JsonLineChildOptions): Promise<{ child: ManagedChild; messages: Record<string, unknown>[] }> {
  const messages: Record<string, unknown>[] = [];
  let isReady = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const prefix = `[${options.name}]`;

  const child = await ManagedChild.start({
    command: options.command,
    args: options.args,
    env: options.env,
    cwd: options.cwd,
    onStdoutLine(line) {
      // After the announcement everything is the child's log, for the person at the console.
      const message = isReady ? undefined : parseJsonObject(line);
      if (!message) {
        console.log(prefix, line);
        return;
      }
      messages.push(message);
      if (options.isReady(message)) {
        isReady = true;
        markReady();
      }
    },
    onStderrLine(line) {
      console.error(prefix, line);
    },
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.readyTimeoutMs)));
  const outcome = await Promise.race([ready.then(() => 'ready' as const), child.exited.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'ready') return { child, messages };

  await child.stop();
  const why = outcome === 'exited' ? 'exited before it was ready' : `was not ready within ${options.readyTimeoutMs / 1000} s`;
  throw new Error(`${options.name} (${[options.command, ...options.args].join(' ')}) ${why}. Its last output:\n${child.recentOutput()}`);
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
