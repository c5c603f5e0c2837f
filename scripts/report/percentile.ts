/**
 * The p-th percentile by nearest rank: the value at rank ⌈p/100 × n⌉ of the n values in ascending order (rank 1 at
 * least), so every figure is a time that happened. For an even count the median is the lower of the two middle values
 * (of 60, 120, 200 and 300 seconds: 120); undefined for no values.
 */
export function nearestRank(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
