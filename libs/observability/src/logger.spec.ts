import { ApplicationFailure } from '@temporalio/common';
import { LogTimestamp } from '@temporalio/worker';
import { createLogger, jsonLine, safeStringify, textLine } from './logger';

const AT = 1_764_345_600_123_000_000n; // 2025-11-28T16:00:00.123Z in ns

function capture(options: { level: 'debug' | 'info' | 'warn' | 'error'; format: 'json' | 'text' }) {
  const lines: string[] = [];
  const logger = createLogger({ app: 'device-worker', ...options, write: (line) => lines.push(line) });
  return { logger, lines };
}

describe('the worker log line', () => {
  it('is one JSON object per line: time, level, app, message, then the attributes', () => {
    const line = jsonLine('device-worker', { level: 'INFO', message: 'deployed', timestampNanos: AT, meta: { workflowId: 'device/leaf01', changeId: 'c1', device: 'leaf01' } });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ time: '2025-11-28T16:00:00.123Z', level: 'info', app: 'device-worker', message: 'deployed', workflowId: 'device/leaf01', changeId: 'c1', device: 'leaf01' });
    expect(Object.keys(JSON.parse(line) as object).slice(0, 4)).toEqual(['time', 'level', 'app', 'message']);
  });

  it('keeps an attribute named like a base field without letting it replace the field', () => {
    const parsed = JSON.parse(jsonLine('w', { level: 'WARN', message: 'm', timestampNanos: AT, meta: { message: 'other', level: 'x' } })) as Record<string, unknown>;
    expect(parsed).toMatchObject({ message: 'm', level: 'warn', 'attr.message': 'other', 'attr.level': 'x' });
  });

  it('keeps what an operator needs of an error: type, message, details, cause and stack', () => {
    const cause = new Error('connection refused');
    const failure = ApplicationFailure.create({ type: 'DeviceUnreachable', message: 'leaf01 unreachable', details: [{ grpcStatus: 'UNAVAILABLE' }], cause });
    const parsed = JSON.parse(jsonLine('w', { level: 'ERROR', message: 'Activity failed', timestampNanos: AT, meta: { error: failure } })) as { error: Record<string, unknown> };
    expect(parsed.error).toMatchObject({
      name: 'ApplicationFailure',
      type: 'DeviceUnreachable',
      message: 'leaf01 unreachable',
      nonRetryable: false,
      details: [{ grpcStatus: 'UNAVAILABLE' }],
      cause: { name: 'Error', message: 'connection refused' },
    });
    expect(parsed.error.stack).toEqual(expect.stringContaining('leaf01 unreachable'));
  });

  it('survives cycles, bigints, bytes, functions and depth instead of dropping the line', () => {
    const looped: Record<string, unknown> = { name: 'a' };
    looped.self = looped;
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) deep = (deep.next = {}) as Record<string, unknown>;
    const parsed = JSON.parse(safeStringify({ looped, error, big: 12n, bytes: Buffer.from('secret'), fn: () => 1, root, when: new Date(0), shared: [looped, looped] })) as Record<string, unknown>;
    expect(parsed.looped).toEqual({ name: 'a', self: '[Circular]' });
    expect(parsed.error).toMatchObject({ message: 'loop', cause: '[Circular]' });
    expect(parsed.big).toBe('12');
    expect(parsed.bytes).toBe('<6 bytes>');
    expect(parsed).not.toHaveProperty('fn');
    expect(JSON.stringify(parsed.root)).toContain('[Too deep]');
    expect(parsed.when).toBe('1970-01-01T00:00:00.000Z');
    // The same object twice side by side is not a cycle.
    expect(parsed.shared).toEqual([{ name: 'a', self: '[Circular]' }, { name: 'a', self: '[Circular]' }]);
  });

  it('reads as one line per message for a person with the text format', () => {
    expect(textLine('device-worker', { level: 'WARN', message: 'deploy failed', timestampNanos: AT, meta: { device: 'leaf01', devices: ['a', 'b'], reason: 'BGP down' } })).toBe(
      '2025-11-28T16:00:00.123Z WARN  device-worker: deploy failed device=leaf01 devices=["a","b"] reason="BGP down"\n',
    );
  });
});

describe('createLogger', () => {
  it('drops messages below its level and writes the rest', () => {
    const { logger, lines } = capture({ level: 'warn', format: 'json' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { device: 'leaf01' });
    logger.error('e');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['w', 'e']);
  });

  it('uses the time the SDK stamped on a message (forwarded core and workflow lines arrive late)', () => {
    const { logger, lines } = capture({ level: 'debug', format: 'json' });
    logger.info('late', { [LogTimestamp]: AT });
    expect(JSON.parse(lines[0])).toEqual({ time: '2025-11-28T16:00:00.123Z', level: 'info', app: 'device-worker', message: 'late' });
  });

  it('writes text lines with the text format', () => {
    const { logger, lines } = capture({ level: 'info', format: 'text' });
    logger.info('polling', { taskQueue: 'device-operations' });
    expect(lines[0]).toMatch(/^\S+Z INFO {2}device-worker: polling taskQueue=device-operations\n$/);
  });
});
