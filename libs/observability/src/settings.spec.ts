import { observabilitySettingsFromEnv, ObservabilitySettingsError } from './settings';
import { shutdownOptionsFromEnv, SHUTDOWN_FORCE_MARGIN_MS } from './shutdown';

function problem(env: NodeJS.ProcessEnv): string {
  try {
    observabilitySettingsFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ObservabilitySettingsError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('observability settings from the environment', () => {
  it('defaults to JSON at info, no metrics or health endpoint, and 30 s of shutdown grace', () => {
    expect(observabilitySettingsFromEnv({})).toEqual({ logLevel: 'info', logFormat: 'json', shutdownGraceSeconds: 30 });
  });

  it('reads every variable, ignoring case and blanks around words', () => {
    expect(
      observabilitySettingsFromEnv({
        SYNAPSE_METRICS_ADDRESS: '0.0.0.0:9464',
        SYNAPSE_HEALTH_ADDRESS: 'localhost:8080',
        SYNAPSE_LOG_LEVEL: ' WARN ',
        SYNAPSE_LOG_FORMAT: 'Text',
        SYNAPSE_SHUTDOWN_GRACE_SECONDS: '2.5',
      }),
    ).toEqual({ metricsAddress: '0.0.0.0:9464', healthAddress: 'localhost:8080', logLevel: 'warn', logFormat: 'text', shutdownGraceSeconds: 2.5 });
  });

  it('treats an empty variable as unset, as docker-compose passes ${VAR:-}', () => {
    expect(observabilitySettingsFromEnv({ SYNAPSE_METRICS_ADDRESS: '', SYNAPSE_HEALTH_ADDRESS: ' ', SYNAPSE_LOG_LEVEL: '', SYNAPSE_SHUTDOWN_GRACE_SECONDS: '' })).toEqual({
      logLevel: 'info',
      logFormat: 'json',
      shutdownGraceSeconds: 30,
    });
  });

  it('accepts IPv6 literals and port 0 for the health endpoint', () => {
    expect(observabilitySettingsFromEnv({ SYNAPSE_METRICS_ADDRESS: '[::1]:9464', SYNAPSE_HEALTH_ADDRESS: '127.0.0.1:0' })).toMatchObject({
      metricsAddress: '[::1]:9464',
      healthAddress: '127.0.0.1:0',
    });
  });

  it.each([
    ['SYNAPSE_METRICS_ADDRESS', 'localhost:9464', 'SYNAPSE_METRICS_ADDRESS must be ip:port'],
    ['SYNAPSE_METRICS_ADDRESS', '9464', 'SYNAPSE_METRICS_ADDRESS must be ip:port'],
    ['SYNAPSE_METRICS_ADDRESS', '127.0.0.1:0', 'SYNAPSE_METRICS_ADDRESS must be ip:port with a port from 1 to 65535'],
    ['SYNAPSE_METRICS_ADDRESS', '127.0.0.1:70000', 'SYNAPSE_METRICS_ADDRESS must be ip:port'],
    ['SYNAPSE_HEALTH_ADDRESS', 'http://0.0.0.0:8080', 'SYNAPSE_HEALTH_ADDRESS must be host:port'],
    ['SYNAPSE_HEALTH_ADDRESS', 'host:port', 'SYNAPSE_HEALTH_ADDRESS must be host:port'],
    ['SYNAPSE_LOG_LEVEL', 'verbose', 'SYNAPSE_LOG_LEVEL must be one of debug, info, warn, error'],
    ['SYNAPSE_LOG_LEVEL', 'trace', 'SYNAPSE_LOG_LEVEL must be one of debug, info, warn, error'],
    ['SYNAPSE_LOG_FORMAT', 'logfmt', 'SYNAPSE_LOG_FORMAT must be one of json, text'],
    ['SYNAPSE_SHUTDOWN_GRACE_SECONDS', 'thirty', 'SYNAPSE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600'],
    ['SYNAPSE_SHUTDOWN_GRACE_SECONDS', '-1', 'SYNAPSE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600'],
    ['SYNAPSE_SHUTDOWN_GRACE_SECONDS', '30s', 'SYNAPSE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600'],
    ['SYNAPSE_SHUTDOWN_GRACE_SECONDS', '86400', 'SYNAPSE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600'],
  ])('rejects %s=%j, naming the variable and the value', (variable, value, expected) => {
    const message = problem({ [variable]: value });
    expect(message).toContain(expected);
    expect(message).toContain(`(got ${JSON.stringify(value)})`);
  });

  it('names every bad variable at once', () => {
    const message = problem({ SYNAPSE_LOG_LEVEL: 'loud', SYNAPSE_LOG_FORMAT: 'xml', SYNAPSE_SHUTDOWN_GRACE_SECONDS: 'never' });
    expect(message.split('; ').map((part) => part.split(' ')[0])).toEqual(['SYNAPSE_LOG_LEVEL', 'SYNAPSE_LOG_FORMAT', 'SYNAPSE_SHUTDOWN_GRACE_SECONDS']);
  });
});

describe('Worker.create shutdown options from the environment', () => {
  it('gives in-flight work SYNAPSE_SHUTDOWN_GRACE_SECONDS, and forces the end a margin later', () => {
    expect(shutdownOptionsFromEnv({})).toEqual({ shutdownGraceTime: 30_000, shutdownForceTime: 30_000 + SHUTDOWN_FORCE_MARGIN_MS });
    expect(shutdownOptionsFromEnv({ SYNAPSE_SHUTDOWN_GRACE_SECONDS: '0.25' })).toEqual({ shutdownGraceTime: 250, shutdownForceTime: 250 + SHUTDOWN_FORCE_MARGIN_MS });
    expect(shutdownOptionsFromEnv({ SYNAPSE_SHUTDOWN_GRACE_SECONDS: '0' })).toEqual({ shutdownGraceTime: 0, shutdownForceTime: SHUTDOWN_FORCE_MARGIN_MS });
  });

  it('refuses a bad grace time, naming the variable', () => {
    expect(() => shutdownOptionsFromEnv({ SYNAPSE_SHUTDOWN_GRACE_SECONDS: 'soon' })).toThrow('SYNAPSE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600 (got "soon")');
  });
});
