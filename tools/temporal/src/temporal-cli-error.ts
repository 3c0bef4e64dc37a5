/** Anything that stops the project from getting a working Temporal CLI. */
export class TemporalCliError extends Error {
  override readonly name = 'TemporalCliError';
}
