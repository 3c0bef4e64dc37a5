import { SynapseError } from '@synapse/contracts';
import { InfrahubClient, resolveConfig } from '../src/index';

function refusal(fn: () => unknown): SynapseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SynapseError);
    return err as SynapseError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration from the environment and options', () => {
  it('reads the INFRAHUB_* variables the Infrahub SDK uses', () => {
    const config = resolveConfig({
      env: {
        INFRAHUB_ADDRESS: 'http://infrahub.example:8000/',
        INFRAHUB_API_TOKEN: '06438eb2-8019-4776-878c-0941b1f1d1ec',
        INFRAHUB_DEFAULT_BRANCH: 'staging',
        INFRAHUB_TIMEOUT: '12.5',
      },
    });
    expect(config).toMatchObject({
      address: 'http://infrahub.example:8000',
      auth: { mode: 'token', apiToken: '06438eb2-8019-4776-878c-0941b1f1d1ec' },
      defaultBranch: 'staging',
      defaultBranchConfigured: true,
      timeoutMs: 12_500,
    });
  });

  it('defaults to branch main, 60 s and four attempts, and keeps a proxy path prefix', () => {
    const config = resolveConfig({ env: { INFRAHUB_ADDRESS: 'https://proxy.example/infrahub/' } });
    expect(config).toMatchObject({
      address: 'https://proxy.example/infrahub',
      auth: { mode: 'none' },
      defaultBranch: 'main',
      defaultBranchConfigured: false,
      timeoutMs: 60_000,
      retry: { maxAttempts: 4 },
    });
  });

  it('takes username and password as a login', () => {
    const config = resolveConfig({ env: { INFRAHUB_ADDRESS: 'http://h:8000', INFRAHUB_USERNAME: 'admin', INFRAHUB_PASSWORD: 'infrahub' } });
    expect(config.auth).toEqual({ mode: 'password', username: 'admin', password: 'infrahub' });
  });

  it('lets explicit credentials replace the environment credentials as a set', () => {
    const config = resolveConfig({
      address: 'http://explicit:8000',
      username: 'svc',
      password: 'pw-explicit',
      env: { INFRAHUB_ADDRESS: 'http://env:8000', INFRAHUB_API_TOKEN: 'env-token-1234' },
    });
    expect(config.address).toBe('http://explicit:8000');
    expect(config.auth).toEqual({ mode: 'password', username: 'svc', password: 'pw-explicit' });
  });

  it('refuses a token together with a password, without echoing either', () => {
    const err = refusal(() =>
      resolveConfig({ env: { INFRAHUB_ADDRESS: 'http://h:8000', INFRAHUB_API_TOKEN: 'tok-secret-1', INFRAHUB_USERNAME: 'u', INFRAHUB_PASSWORD: 'pw-secret-2' } }),
    );
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(/either an API token .* or a username and password/);
    expect(err.message).not.toMatch(/tok-secret-1|pw-secret-2/);
  });

  it('refuses a missing address, a bad URL, a URL with credentials and a bad timeout, naming the variable', () => {
    expect(refusal(() => resolveConfig({ env: {} })).message).toMatch(/INFRAHUB_ADDRESS\) is not set/);
    expect(refusal(() => resolveConfig({ env: { INFRAHUB_ADDRESS: 'localhost:8000' } })).message).toMatch(/INFRAHUB_ADDRESS\) must be an http\(s\) URL/);
    const withSecret = refusal(() => resolveConfig({ env: { INFRAHUB_ADDRESS: 'http://admin:hunter22@h:8000' } }));
    expect(withSecret.message).toMatch(/must not carry credentials/);
    expect(withSecret.message).not.toContain('hunter22');
    expect(refusal(() => resolveConfig({ env: { INFRAHUB_ADDRESS: 'http://h', INFRAHUB_TIMEOUT: 'soon' } })).message).toMatch(/INFRAHUB_TIMEOUT\) must be a number of seconds/);
    expect(refusal(() => resolveConfig({ env: { INFRAHUB_ADDRESS: 'http://h', INFRAHUB_USERNAME: 'u' } })).message).toMatch(/INFRAHUB_PASSWORD\) is required/);
    expect(refusal(() => resolveConfig({ address: 'http://h', env: {}, retry: { maxAttempts: 0 } })).message).toMatch(/retry\.maxAttempts/);
  });

  it('builds a client from the environment alone', () => {
    const client = InfrahubClient.fromEnv({ INFRAHUB_ADDRESS: 'http://127.0.0.1:8000', INFRAHUB_USERNAME: 'admin', INFRAHUB_PASSWORD: 'x' });
    try {
      expect(client.address).toBe('http://127.0.0.1:8000');
      expect(client.defaultBranch).toBe('main');
      expect(client.authMode).toBe('password');
    } finally {
      client.close();
    }
  });
});
