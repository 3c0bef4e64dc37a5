/**
 * Label values come from workflow results and activity errors, so they are
 * bounded here: a free-text value would make a new time series per value.
 * Loaded inside the workflow sandbox too: pure functions only.
 */
const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function labelValue(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && LABEL_VALUE.test(value) ? value : 'other';
}

/** `outcome` of a result (NetworkChange, DeviceChange, Emergency results all carry one); `completed` otherwise. */
export function outcomeOf(result: unknown): string {
  const outcome = typeof result === 'object' && result !== null ? (result as { outcome?: unknown }).outcome : undefined;
  return outcome === undefined ? 'completed' : labelValue(outcome);
}
