#!/usr/bin/env node
/**
 * `node apps/workflow-worker/dist/bundle-workflows.js [<bundle.js>]` (nx `bundle`):
 * bundles the workflow code once, at build time, into dist/workflow-bundle.js
 * or the file given, plus `<file>.manifest.json` naming what it was built
 * from. A worker started with SYNAPSE_WORKFLOW_BUNDLE=<file> (the container
 * image sets it) loads that instead of running webpack at every start, which
 * takes seconds and memory a workflow replica should not spend.
 */
import type { Logger } from '@temporalio/worker';
import { DEFAULT_WORKFLOW_BUNDLE_PATH, writeWorkflowBundle } from './worker';

const USAGE = `usage: bundle-workflows [<bundle.js>]

Writes the workflow bundle (default ${DEFAULT_WORKFLOW_BUNDLE_PATH}) and <bundle.js>.manifest.json.
Run the worker with SYNAPSE_WORKFLOW_BUNDLE=<bundle.js> to use it.`;

const quiet = () => undefined;
/** Webpack's progress is noise in a build log; its warnings and errors are not. */
const buildLogger: Logger = {
  log: (level, message, meta) => (level === 'WARN' || level === 'ERROR' ? process.stderr.write(`bundle-workflows: ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`) : undefined),
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: (message, meta) => process.stderr.write(`bundle-workflows: ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
  error: (message, meta) => process.stderr.write(`bundle-workflows: ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
};

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const unknownFlag = argv.find((arg) => arg.startsWith('-'));
  if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag}`);
  if (argv.length > 1) throw new UsageError(`one output file at most, got ${argv.length}: ${argv.join(' ')}`);
  const written = await writeWorkflowBundle(argv[0] ?? DEFAULT_WORKFLOW_BUNDLE_PATH, { logger: buildLogger });
  process.stdout.write(`${JSON.stringify({ bundle: written.bundlePath, manifest: written.manifestPath, bytes: written.bytes, inputs: written.inputs })}\n`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
