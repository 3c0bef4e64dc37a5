export * from './path';
export * from './proto';
export * from './json-ietf';
