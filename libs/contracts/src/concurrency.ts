/**
 * Runs `work` over the items with at most `limit` in flight; results keep the
 * items' order. Deterministic (lanes take items in order), so workflows use
 * it too: a replay schedules the same work. Here because workflows and
 * workers both need it and contracts is the one library they all load.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
