package io.janus.monitoring;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The final figures of one run of a batch command (backfill, ingest, sync, parity), pushed to a
 * Prometheus Pushgateway: such jobs end before Prometheus would scrape their operators. A push
 * replaces the metrics of the same names under the same job and grouping key (e.g. {@code
 * job="janus_backfill", group="user_activity"}) and keeps the others, so a failed run leaves the
 * last success's timestamp in place. Names follow Prometheus conventions: {@code
 * janus_<command>_<what>[_<unit>]}, counters end in {@code _total}.
 */
public final class RunMetrics {
  private final String job;
  private final Map<String, String> grouping;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, Gauge> gauges = new HashMap<>();

  private RunMetrics(String job, Map<String, String> grouping) {
    this.job = job;
    this.grouping = grouping;
  }

  /**
   * Figures of {@code job} (e.g. {@code janus_backfill}) grouped by one label (e.g. {@code
   * group=user_activity}).
   */
  public static RunMetrics of(String job, String groupingLabel, String groupingValue) {
    return new RunMetrics(job, Map.of(groupingLabel, groupingValue));
  }

  private static void known(String name) {
    if (!MetricCatalog.PUSHED.contains(name)) {
      throw new IllegalArgumentException(
          name
              + " is not in MetricCatalog.PUSHED: add it there, so rules and dashboards can use it");
    }
  }

  /** A counter of what the run did; {@code name} ends in {@code _total}. */
  public RunMetrics counter(String name, String help, double value) {
    known(name);
    if (!name.endsWith(MetricNames.TOTAL))
      throw new IllegalArgumentException("counter " + name + " must end in _total");
    Counter.builder().name(name).help(help).register(registry).inc(value);
    return this;
  }

  /** A gauge (a state or a figure of the run, in base units). */
  public RunMetrics gauge(String name, String help, double value) {
    known(name);
    Gauge.builder().name(name).help(help).register(registry).set(value);
    return this;
  }

  /**
   * A gauge with one label, e.g. a null rate per {@code column}; call again with other label
   * values.
   */
  public RunMetrics gauge(String name, String help, String label, String labelValue, double value) {
    known(name);
    gauges
        .computeIfAbsent(
            name, n -> Gauge.builder().name(n).help(help).labelNames(label).register(registry))
        .labelValues(labelValue)
        .set(value);
    return this;
  }

  /**
   * Pushes this run's figures (HTTP POST: replaces metrics of the same names in the group).
   *
   * @param address {@code host:port} or {@code http(s)://host:port}
   */
  public void push(String address) throws IOException {
    String a = address.trim();
    Scheme scheme = Scheme.HTTP;
    if (a.contains("://")) {
      URI u = URI.create(a);
      scheme = "https".equalsIgnoreCase(u.getScheme()) ? Scheme.HTTPS : Scheme.HTTP;
      a = u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 9091);
    }
    PushGateway.Builder b =
        PushGateway.builder().address(a).scheme(scheme).job(job).registry(registry);
    grouping.forEach(b::groupingKey);
    b.build().pushAdd();
  }
}
