package io.janus.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.served.ServedValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The served-feature log's writer keeps a batch its sink refused and writes it once, later. */
class ServedLogWriterTest {
  static ServedValue value(int i) {
    return new ServedValue(
        Instant.ofEpochMilli(1_000 + i),
        "r" + i,
        "GET /features",
        "g",
        Map.of("user", "u" + i),
        Instant.ofEpochMilli(i),
        Map.of("f", Integer.toString(i)),
        null,
        null,
        null);
  }

  @Test
  void aFailingSinkLosesNothingAndWritesNothingTwice() {
    AtomicInteger calls = new AtomicInteger();
    List<String> written = new ArrayList<>();
    ServerMetrics metrics = new ServerMetrics();
    ServedLogWriter writer =
        new ServedLogWriter(
            batch -> {
              // The store is down for the first two attempts.
              if (calls.incrementAndGet() <= 2) throw new IllegalStateException("catalog down");
              synchronized (written) {
                batch.forEach(v -> written.add(v.requestId()));
              }
            },
            1.0,
            Duration.ofMillis(20),
            10,
            metrics);
    for (int i = 0; i < 35; i++) writer.offer(value(i));
    writer.close();
    assertThat(calls.get()).isGreaterThan(2);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 35; i++) expected.add("r" + i);
    assertThat(written).containsExactlyElementsOf(expected);
    assertThat(metrics.scrape())
        .contains("janus_serve_log_values_total 35.0")
        .contains("janus_serve_log_write_failures_total 2.0")
        .contains("janus_serve_log_dropped_total 0.0");
  }
}
