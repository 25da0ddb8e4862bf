package io.janus.serving.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The server's Prometheus metrics, in a registry of its own, and their text exposition. */
public final class ServerMetrics {
  private static final double[] SECONDS = {
    0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests =
      Counter.builder()
          .name("janus_serve_requests_total")
          .help("HTTP requests answered, by endpoint and status code")
          .labelNames("endpoint", "status")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("janus_serve_request_duration_seconds")
          .help("Time from a request's arrival to its answer, by endpoint")
          .labelNames("endpoint")
          .classicOnly()
          .classicUpperBounds(SECONDS)
          .register(registry);
  private final Histogram store =
      Histogram.builder()
          .name("janus_serve_store_round_trip_seconds")
          .help("Time of one pipelined read of the online store")
          .classicOnly()
          .classicUpperBounds(SECONDS)
          .register(registry);
  private final Counter entities =
      Counter.builder()
          .name("janus_serve_lookups_total")
          .help("Entity lookups read, by group and whether values were found")
          .labelNames("group", "found")
          .register(registry);

  private final Counter modelLoadFailures =
      Counter.builder()
          .name("janus_serve_model_load_failures_total")
          .help(
              "Model refreshes that could not load a production version (the previous one serves)")
          .register(registry);
  private final Counter predictions =
      Counter.builder()
          .name("janus_serve_predictions_total")
          .help("Entities scored by POST /predict, by model and version")
          .labelNames("model", "version")
          .register(registry);

  private final Counter servedLogged =
      Counter.builder()
          .name("janus_serve_log_values_total")
          .help("Served values of sampled keys stored in the served-feature log")
          .register(registry);
  private final Counter servedDropped =
      Counter.builder()
          .name("janus_serve_log_dropped_total")
          .help("Served values of sampled keys dropped (log queue full, or store failing too long)")
          .register(registry);
  private final Counter servedFailed =
      Counter.builder()
          .name("janus_serve_log_write_failures_total")
          .help("Batches of the served-feature log the store refused (kept for the next attempt)")
          .register(registry);

  /** Records {@code n} logged values. */
  public void servedLogged(int n) {
    servedLogged.inc(n);
  }

  /** Records {@code n} dropped values. */
  public void servedLogDropped(int n) {
    servedDropped.inc(n);
  }

  /** Records a failed batch. */
  public void servedLogFailed() {
    servedFailed.inc();
  }

  /** Records a refresh that could not load a model version. */
  public void modelLoadFailed() {
    modelLoadFailures.inc();
  }

  /** Records {@code n} entities scored with {@code model@version}. */
  public void predicted(String model, String version, int n) {
    predictions.labelValues(model, version).inc(n);
  }

  /** Records an answered request. */
  public void answered(String endpoint, int status, long startNanos) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    latency.labelValues(endpoint).observe((System.nanoTime() - startNanos) / 1e9);
  }

  /** Records one round trip to the online store. */
  public void storeRoundTrip(long startNanos) {
    store.observe((System.nanoTime() - startNanos) / 1e9);
  }

  /** Records one lookup's outcome. */
  public void lookup(String group, boolean found) {
    entities.labelValues(group, Boolean.toString(found)).inc();
  }

  /** The metrics in Prometheus' text format. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The content type of {@link #scrape}. */
  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
