/**
 * A service's /metrics as numbers: the sum of the samples of `name` whose labels include
 * `labels` (0 when none has counted yet), or NaN when the service has no such metric at all.
 */
export type Metrics = (name: string, labels?: Record<string, string>) => number;

export async function scrape(url: string): Promise<Metrics> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const samples = [...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/gm)].map(([, name, labels = '', value]) => ({
    name: name!,
    labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, v]) => [key!, v!])),
    value: Number(value),
  }));
  return (name, labels = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v)).reduce((sum, s) => sum + s.value, 0);
}
