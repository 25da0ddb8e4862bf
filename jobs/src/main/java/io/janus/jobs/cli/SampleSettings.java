package io.janus.jobs.cli;

import java.time.LocalDate;

/**
 * What a generated sample clickstream looks like.
 *
 * @param events number of lines
 * @param days days covered
 * @param start first day, UTC
 * @param seed random seed (the same settings give the same lines)
 * @param users distinct users
 * @param products distinct products
 * @param malformedRate share of malformed lines
 * @param until exclusive upper bound of the event times when before the end of the last day (e.g.
 *     now: streams of today's events then hold none ahead of the clock), or null
 */
public record SampleSettings(
    long events,
    int days,
    LocalDate start,
    long seed,
    int users,
    int products,
    double malformedRate,
    java.time.Instant until) {
  /** The same settings with another number of events. */
  public SampleSettings withEvents(long n) {
    return new SampleSettings(n, days, start, seed, users, products, malformedRate, until);
  }
}
