/**
 * Test support: a throwaway PKI and the TLS / mTLS / API-key fronts the
 * tests put before a plaintext dev server. Import from
 * `@synapse/temporal-connection/testing`; never used by production code.
 */
export { createTestCertificates, type TestCertificates } from './certificates';
export { startTlsTerminator, startApiKeyProxy, type TlsFront, type TlsTerminatorOptions, type ApiKeyProxyOptions } from './tls-front';
