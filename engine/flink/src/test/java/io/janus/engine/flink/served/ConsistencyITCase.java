package io.janus.engine.flink.served;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.served.ServedValue;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.served.ServedFeatures;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served-feature log against a real backfilled Iceberg table: values served exactly as the
 * offline table had them match, and one tampered value, one stale one and the missing ones are each
 * found and counted exactly once.
 */
class ConsistencyITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  static final FeatureGroup G = TestGroups.group(TestGroups.ACTIVITY_YAML);
  static final List<String> FEATURES = G.schema().featureNames();

  @TempDir Path dir;

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.getConfig().enableObjectReuse();
    return env;
  }

  /** What a server would have logged for {@code row} served at {@code at}. */
  static ServedValue served(
      String request, String user, Instant at, Map<String, Object> row, String model) {
    Map<String, String> values = new HashMap<>();
    if (row != null)
      for (String f : FEATURES) if (row.get(f) != null) values.put(f, String.valueOf(row.get(f)));
    return new ServedValue(
        at,
        request,
        model == null ? "GET /features" : "POST /predict",
        G.name(),
        Map.of("user", user),
        row == null ? null : (Instant) row.get("valid_from"),
        values,
        model,
        model == null ? null : "1.0.0",
        model == null ? null : 0.5);
  }

  @Test
  void findsEveryTamperedStaleAndMissingValueExactlyOnce() throws Exception {
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    List<Event> events = TestGroups.randomEvents(3000, 5, 20, "2024-01-01", "2024-01-02");
    Backfill.of(warehouse, G, new ListEventSource(events))
        .withRange(LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-02"))
        .withReportDir(dir.resolve("reports"))
        .run(env());
    OfflineReader offline = new OfflineReader(warehouse, G);

    List<ServedValue> log = new ArrayList<>();
    Instant t = Instant.parse("2024-01-02T12:00:00Z");
    // Served exactly as offline had them, by GET and by /predict: 20 matches.
    for (int u = 0; u < 10; u++) {
      String user = "u" + u;
      Map<String, Object> row = offline.lookup(user, t, null);
      assertThat(row).as(user).isNotNull();
      log.add(served("r" + u, user, t, row, null));
      log.add(served("p" + u, user, t.plusMillis(1), row, "buyer"));
    }
    // A tampered value: the same row, one number changed.
    Map<String, Object> tampered = new HashMap<>(offline.lookup("u11", t, null));
    long views = (Long) tampered.get("views_5m");
    tampered.put("views_5m", views + 7);
    log.add(served("tampered", "u11", t, tampered, "buyer"));
    // Stale: the row before the one valid then.
    List<Map<String, Object>> rows12 = offline.rows("u12", null);
    int valid = -1;
    for (int i = 0; i < rows12.size(); i++)
      if (!((Instant) rows12.get(i).get("valid_from")).isAfter(t)) valid = i;
    assertThat(valid).isPositive();
    log.add(served("stale", "u12", t, rows12.get(valid - 1), null));
    // Nothing served for a key offline had; values served for a key offline never had.
    log.add(served("gone", "u13", t, null, null));
    Map<String, Object> invented = new HashMap<>(offline.lookup("u14", t, null));
    log.add(served("invented", "nobody", t, invented, null));
    // Absent on both sides: a match.
    log.add(served("absent", "nobody", t, null, null));
    // Served long before the check's --since: not checked.
    log.add(served("old", "u15", Instant.parse("2024-01-01T06:00:00Z"), null, null));
    ServedFeatures.append(ServedFeatures.createOrLoad(warehouse), log, "test");

    ConsistencyReport r =
        ConsistencyCheck.of(warehouse, G)
            .withSince(Instant.parse("2024-01-02T00:00:00Z"))
            .run(env());
    assertThat(r.served()).isEqualTo(25);
    assertThat(r.count(ServedCheck.Status.MATCHED)).isEqualTo(21);
    assertThat(r.count(ServedCheck.Status.MISMATCHED)).isEqualTo(1);
    assertThat(r.count(ServedCheck.Status.STALE)).isEqualTo(1);
    assertThat(r.count(ServedCheck.Status.MISSING_ONLINE)).isEqualTo(1);
    assertThat(r.count(ServedCheck.Status.MISSING_OFFLINE)).isEqualTo(1);
    assertThat(r.count(ServedCheck.Status.NEWER_THAN_OFFLINE)).isZero();
    assertThat(r.mismatchRate()).isEqualTo(1 / 25.0);
    assertThat(r.predictions()).isEqualTo(11);
    assertThat(r.predictionsDifferent()).isEqualTo(1);
    assertThat(r.passed()).isFalse();
    // The tampered value is the worst example, with both numbers.
    ConsistencyReport.Example worst = r.worst().get(0);
    assertThat(worst.status()).isEqualTo(ServedCheck.Status.MISMATCHED);
    assertThat(worst.requestId()).isEqualTo("tampered");
    assertThat(worst.entity()).isEqualTo("u11");
    assertThat(worst.features())
        .containsOnlyKeys("views_5m")
        .containsEntry("views_5m", List.of(Long.toString(views + 7), Long.toString(views)));
    assertThat(r.features().get("views_5m").different()).isGreaterThanOrEqualTo(1);
    assertThat(r.features().get("buys_1h").compared()).isEqualTo(22);
    assertThat(r.staleLagMsMax()).isPositive();

    // Over the whole log: the old absent-on-both-sides value counts too; a tolerance passes.
    ConsistencyReport all = ConsistencyCheck.of(warehouse, G).withMaxMismatchRate(0.05).run(env());
    assertThat(all.served()).isEqualTo(26);
    assertThat(all.passed()).isTrue();
  }
}
