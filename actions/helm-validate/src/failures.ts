// What could not be validated because a tool failed (a timeout, a dependency that could not be fetched,
// helm killed). The failure line that ends the step says each cause once, with counts; every single
// case, with helm's words and the way out, goes to the summary's "Not validated" list and the report.
export interface Failure {
  /** The same words for every failure of its kind, e.g. "helm template timed out (limit 90s)". */
  cause: string;
  /** This case's own words when it differs from the cause, e.g. the real time: "helm template timed out after 93s (limit 90s)". */
  detail?: string;
  /** The chart it stopped. */
  chart: string;
  /** Where in the chart, when it matters: "values-prod.yaml, Kubernetes 1.35". */
  where?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One short line per cause: the case itself when there is one, else how many and which charts. */
export function failureLines(failures: readonly Failure[]): string[] {
  const byCause = new Map<string, Failure[]>();
  for (const f of failures) byCause.set(f.cause, [...(byCause.get(f.cause) ?? []), f]);
  return [...byCause].map(([cause, fs]) => {
    if (fs.length === 1) return `${fs[0].detail ?? cause} on ${fs[0].chart}${fs[0].where ? ` (${fs[0].where})` : ''}; it was not validated`;
    const charts = [...new Set(fs.map((f) => f.chart))];
    const named = `${charts.slice(0, 3).join(', ')}${charts.length > 3 ? `, and ${charts.length - 3} more` : ''}`;
    return `${cause}: ${plural(fs.length, 'time')} on ${plural(charts.length, 'chart')} (${named}); none of those was validated (the job summary lists each)`;
  });
}
