/**
 * Bucket boundaries, in seconds, for every HTTP duration histogram: the ones the HTTP semconv
 * recommends. 0.2 s falls in (0.1, 0.25], so a 200 ms backend is told apart from a 50 ms one.
 */
export const HTTP_DURATION_BUCKETS_S: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
