import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOOPBACK } from '../free-port';
import { ManagedChild, type ChildExit } from '../managed-child';
import { lastLines, runCommand } from '../run-command';
import { findPostgresPrograms, lookupSystemUser, postgresAccount, type PostgresAccount, type PostgresPrograms } from './postgres-binaries';

export interface PostgresInstanceOptions {
  /** The cluster's data directory; initdb runs when it holds no cluster yet. */
  dataDir: string;
  port: number;
  /** The superuser initdb creates, and the one Temporal logs in as. */
  user: string;
  /** Its password, set at initdb; later starts take it from the same place. */
  password: string;
  /**
   * false: fsync off (a throwaway cluster for tests, where a crash loses
   * nothing of value). true keeps PostgreSQL's defaults.
   */
  durable: boolean;
  env: NodeJS.ProcessEnv;
  /** The server's output is appended here too. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface PostgresInstance {
  port: number;
  pid: number;
  programs: PostgresPrograms;
  account: PostgresAccount;
  /** initdb ran in this start: the databases and schemas are still to be made. */
  createdNow: boolean;
  exited: Promise<ChildExit>;
  hasExited(): boolean;
  recentOutput(): string;
  /** Fast shutdown (SIGINT: clients disconnected, a checkpoint written). */
  stop(): Promise<void>;
}

const READY_LINE = /database system is ready to accept connections/;
/** sun_path is 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 100;

/**
 * A PostgreSQL cluster of our own on a loopback port: created on first use
 * (initdb, password authentication even on loopback, since other local users
 * can reach the port), started in the foreground as a child we supervise,
 * so it stops with us like every other server the tooling starts.
 */
export async function startPostgres(options: PostgresInstanceOptions): Promise<PostgresInstance> {
  const programs = findPostgresPrograms(options.env);
  const account = postgresAccount(process.getuid?.(), (name) => lookupSystemUser(name));
  const createdNow = !fs.existsSync(path.join(options.dataDir, 'PG_VERSION'));
  if (createdNow) await initCluster(programs, account, options);

  const socketDir = path.join(options.dataDir, `.s.PGSQL.${options.port}`).length <= MAX_SOCKET_PATH ? options.dataDir : '';
  const args = [
    '-D', options.dataDir,
    '-p', String(options.port),
    '-c', `listen_addresses=${LOOPBACK}`,
    // Local tools (psql -h <data dir>) reach it without a TCP port; none when the path is too long for a socket.
    '-c', `unix_socket_directories=${socketDir}`,
    // Each Temporal service keeps its own pools (default and visibility stores).
    '-c', 'max_connections=200',
    ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
  ];
  let sawReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (sawReady = resolve));
  const server = await ManagedChild.start({
    command: programs.postgres,
    args,
    // It needs nothing of ours (the stack's environment may hold credentials).
    env: { PATH: options.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    uid: account.uid,
    gid: account.gid,
    logFile: options.logFile,
    stopSignal: 'SIGINT',
    stopTimeoutMs: 30_000,
    onStderrLine: (line) => {
      if (READY_LINE.test(line)) sawReady();
    },
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`could not run ${programs.postgres} (${error.code ?? error.message})`);
  });

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    server.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await server.stop();
    const output = server.recentOutput();
    const hint = /postmaster\.pid|already exists|Address already in use/.test(output)
      ? `\nAnother PostgreSQL is using ${options.dataDir} or port ${options.port} (a second \`TEMPORAL_STACK=postgres npm start\`?).`
      : '';
    throw new Error(`PostgreSQL (${programs.postgres}) ${outcome === 'exited' ? 'exited before it was ready' : `was not ready within ${timeoutMs / 1000} s`}. Its last output:\n${output}${hint}`);
  }

  return {
    port: options.port,
    pid: server.pid,
    programs,
    account,
    createdNow,
    exited: server.exited,
    hasExited: () => server.hasExited,
    recentOutput: () => server.recentOutput(),
    async stop() {
      await server.stop();
    },
  };
}

async function initCluster(programs: PostgresPrograms, account: PostgresAccount, options: PostgresInstanceOptions): Promise<void> {
  // What a failed initdb left behind would make the next one refuse the directory.
  fs.rmSync(options.dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
  fs.mkdirSync(options.dataDir, { mode: 0o700 });
  // The password reaches initdb in a file only its user can read, never on a command line.
  const passwordFile = path.join(path.dirname(options.dataDir), `.initdb-password-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (account.uid !== undefined) {
    fs.chownSync(options.dataDir, account.uid, account.gid!);
    fs.chownSync(passwordFile, account.uid, account.gid!);
  }
  try {
    const outcome = await runCommand(
      programs.initdb,
      [
        '-D', options.dataDir,
        '-U', options.user,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        ...(options.durable ? [] : ['--no-sync']),
      ],
      { timeoutMs: 120_000, env: { PATH: options.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, uid: account.uid, gid: account.gid },
    );
    if (outcome.exitCode !== 0) {
      const asOther = account.uid === undefined ? '' : ` It ran as the ${account.name} user (we are root): every directory above ${options.dataDir} must be searchable by that user.`;
      fs.rmSync(options.dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed (${outcome.spawnErrorCode ?? `exit code ${outcome.exitCode}`}): ${lastLines(outcome.stderr || outcome.stdout, 6)}.${asOther}`);
    }
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}
