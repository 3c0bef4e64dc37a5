export { createCodecRequestHandler, startCodecServer, type CodecServerOptions, type RunningCodecServer } from './server';
