package io.janus.engine.flink.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backfill --parity-gate}: with real Redis and Iceberg, a backfill that agrees with what is
 * online publishes; one whose definition changed a feature is refused — main untouched, the branch
 * kept.
 */
class ParityGateITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  /** The activity group with a lifetime count, so every key's latest values show a change. */
  static final String YAML =
      TestGroups.ACTIVITY_YAML
          .replace("ttl: 1d", "ttl: 36500d")
          .replace(
              "{name: cr_1h,",
              "{name: views_all, agg: count, where: \"kind == 'view'\", window: lifetime}\n  - {name: cr_1h,");

  static final FeatureGroup G = TestGroups.group(YAML);

  /** The same group, except that views_all now also counts clicks. */
  static final FeatureGroup CHANGED =
      TestGroups.group(
          YAML.replace(
              "{name: views_all, agg: count, where: \"kind == 'view'\"",
              "{name: views_all, agg: count, where: \"kind == 'view' || kind == 'click'\""));

  @TempDir Path dir;

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  @Test
  void publishesWhatAgreesWithOnlineAndRefusesWhatDoesNot() throws Exception {
    assertThat(CHANGED.fingerprint()).isNotEqualTo(G.fingerprint());
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    List<Event> events = TestGroups.randomEvents(3000, 9, 25, "2024-01-01", "2024-01-02");
    LocalDate d1 = LocalDate.parse("2024-01-01");
    LocalDate d2 = LocalDate.parse("2024-01-02");
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      OnlineStoreFactory stores = RedisOnlineStore.factory(redis.uri());
      assertThat(
              Backfill.of(warehouse, G, new ListEventSource(events))
                  .withRange(d1, d2)
                  .withReportDir(dir.resolve("reports"))
                  .run(env())
                  .published())
          .isTrue();
      OnlineSync.of(warehouse, G, stores).run(env());

      // The same definition again: online agrees, the gate lets it through.
      BackfillResult same =
          Backfill.of(warehouse, G, new ListEventSource(events))
              .withRange(d2, d2)
              .withReportDir(dir.resolve("reports"))
              .withGate(ParityGate.of(warehouse, G, stores, 0))
              .run(env());
      assertThat(same.published()).as(same.message()).isTrue();
      assertThat(same.message()).contains("parity gate: 25 online keys");

      // A changed feature: batch would now differ from what serving has, so main must not move.
      Table table = warehouse.load(FeatureTables.id(G));
      long mainBefore = table.currentSnapshot().snapshotId();
      BackfillResult changed =
          Backfill.of(warehouse, CHANGED, new ListEventSource(events))
              .withRange(d2, d2)
              .withReportDir(dir.resolve("reports"))
              .withGate(ParityGate.of(warehouse, CHANGED, stores, 0.01))
              .run(env());
      assertThat(changed.report().passed()).isTrue();
      assertThat(changed.published()).isFalse();
      assertThat(changed.message())
          .startsWith("refused by the parity gate")
          .contains("main untouched, branch " + changed.branch() + " kept");
      table.refresh();
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(mainBefore);
      assertThat(table.refs()).containsKey(changed.branch());
    }
  }
}
