package io.janus.registry.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.Stage;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.onnx.OnnxModel;
import io.janus.registry.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline ML loop on real components: backfill → point-in-time training set → Tribuo training
 * exported to ONNX → registry → promotion → batch prediction in ONNX Runtime through
 * Write-Audit-Publish. Scores are checked against the ONNX file scored directly on each row's
 * features, and the features against the training set's for the same spine rows.
 */
class PredictionITCase {
  static final FeatureGroup USERS = TestGroups.group(TestGroups.ACTIVITY_YAML);
  static final String[] DAYS = {"2024-01-01", "2024-01-02"};
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  @Test
  void trainRegisterPromotePredict() throws Exception {
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    List<Event> events = TestGroups.randomEvents(4000, 7, 30, DAYS);
    Backfill.of(warehouse, USERS, new ListEventSource(events))
        .withRange(LocalDate.parse(DAYS[0]), LocalDate.parse(DAYS[1]))
        .withReportDir(dir.resolve("reports"))
        .run(env());

    // Label: did the user buy in the hour up to the row's time (learnable from buys_1h).
    Path spine = spine(events, 600);
    TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(USERS), "buyers").run(env());
    Trainer.Trained trained = Trainer.of(warehouse, "buyers", "label").train();
    assertThat(trained.metrics().get("auc")).isGreaterThan(0.8);
    assertThat(trained.signature().names()).contains("activity__buys_1h", "views_5m");
    assertThat(trained.params()).containsEntry("positive_label", "true");

    ModelRegistry registry = ModelRegistry.open(warehouse);
    var register =
        registry.register("buyer").artifact(trained.onnx(), ".onnx").trainingSet("buyers");
    trained.metrics().forEach(register::metric);
    ModelVersion v = register.register();
    registry.promote("buyer", v.version(), Stage.PRODUCTION).change();
    ModelVersion production = registry.resolve("buyer@production");
    assertThat(production.version()).isEqualTo("1.0.0");

    // Score the same spine rows: one prediction per row, published after the audit.
    PointInTimeJoin join = PointInTimeJoin.of(warehouse, Spine.file(spine, "ts"), List.of(USERS));
    PredictionResult r =
        BatchPrediction.of(warehouse, production, registry.load(production), join, "buyers_now")
            .run(env());
    assertThat(r.published()).as(r.audit().failures().toString()).isTrue();
    assertThat(r.rows()).isEqualTo(600);
    assertThat(r.audit().rows()).isEqualTo(600);
    assertThat(r.audit().imputedRows()).isPositive(); // "nobody" rows and rows before any history
    Table table = warehouse.load(BatchPrediction.id("buyers_now"));
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(r.snapshotId());
    assertThat(table.currentSnapshot().summary())
        .containsEntry("janus.predict.model-version", "1.0.0");

    Map<Long, Record> training = byId(warehouse.load(TrainingSet.id("buyers")));
    Map<Long, Record> predicted = byId(table);
    assertThat(predicted).hasSize(600);
    long snapshot = warehouse.load(FeatureTables.id(USERS)).currentSnapshot().snapshotId();
    try (OnnxModel model = OnnxModel.load(registry.load(production), "reference")) {
      List<String> inputs = model.signature().names();
      // The spine's buys_1h pushed the group's column to activity__buys_1h, in training and here.
      assertThat(inputs).contains("activity__buys_1h").doesNotContain("buys_1h");
      Map<String, String> columns = new HashMap<>();
      for (String in : inputs) columns.put(in, in);
      for (Map.Entry<Long, Record> e : predicted.entrySet()) {
        Record p = e.getValue();
        Record t = training.get(e.getKey());
        double[] x = new double[inputs.size()];
        for (int i = 0; i < x.length; i++) {
          String column = columns.get(inputs.get(i));
          assertThat(p.getField(column)).isEqualTo(t.getField(column));
          Object value = p.getField(column);
          x[i] = value == null ? Double.NaN : ((Number) value).doubleValue();
        }
        double expected = model.score(new double[][] {x}, 1)[0];
        assertThat((Double) p.getField("score")).isCloseTo(expected, within(1e-6));
        assertThat(p.getField("model")).isEqualTo("buyer");
        assertThat(p.getField("model_version")).isEqualTo("1.0.0");
        assertThat(p.getField("activity_snapshot_id")).isEqualTo(snapshot);
        assertThat(p.getField("run_id")).isEqualTo(r.runId());
        assertThat(((Number) p.getField("buys_1h")).longValue()).isEqualTo(-1000L);
        boolean anyNull = inputs.stream().anyMatch(c -> p.getField(c) == null);
        assertThat(p.getField("imputed") != null).isEqualTo(anyNull);
      }
    }

    // Every key at one time, twice: the second run replaces the rows of the first.
    PointInTimeJoin keys =
        PointInTimeJoin.of(
            warehouse,
            Spine.keysOf(warehouse, USERS, Instant.parse("2024-01-02T12:00:00Z")),
            List.of(USERS));
    Set<Object> users = new TreeSet<>();
    for (Event e : events) users.add(e.values[2]);
    for (int run = 0; run < 2; run++) {
      PredictionResult all =
          BatchPrediction.of(warehouse, production, registry.load(production), keys, "buyers_all")
              .run(env());
      assertThat(all.published()).isTrue();
      assertThat(all.rows()).isEqualTo(users.size());
      assertThat(count(warehouse.load(BatchPrediction.id("buyers_all")))).isEqualTo(users.size());
    }
    // Another spine's columns do not go into the same table.
    assertThatThrownBy(
            () ->
                BatchPrediction.of(
                        warehouse, production, registry.load(production), keys, "buyers_now")
                    .run(env()))
        .hasMessageContaining("has column 'ts' as string, this run makes it timestamptz");

    // A model whose inputs the groups do not provide is refused before any job runs.
    byte[] renamed = renameInput(registry.load(production), "views_5m", "views_6m");
    ModelVersion other =
        registry.register("buyer").artifact(renamed, ".onnx").trainingSet("buyers").register();
    assertThatThrownBy(
            () ->
                BatchPrediction.of(warehouse, other, registry.load(other), join, "other")
                    .run(env()))
        .hasMessageContaining("model buyer@1.0.1 expects input 'views_6m'");
  }

  /** Spine rows {id, user, ts, label}: label = the user bought in the hour up to ts. */
  Path spine(List<Event> events, int n) throws IOException {
    Map<String, List<Long>> buys = new HashMap<>();
    for (Event e : events) {
      if ("buy".equals(e.values[3]))
        buys.computeIfAbsent((String) e.values[2], k -> new ArrayList<>()).add(e.ts);
    }
    Random rnd = new Random(11);
    long start = Instant.parse(DAYS[0] + "T00:00:00Z").toEpochMilli();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String user = rnd.nextInt(20) == 0 ? "nobody" : "u" + rnd.nextInt(30);
      long ts = start + (long) (rnd.nextDouble() * 2 * 86_400_000L);
      boolean label =
          buys.getOrDefault(user, List.of()).stream().anyMatch(b -> b <= ts && b > ts - 3_600_000);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", i);
      row.put("user", user);
      row.put("ts", Instant.ofEpochMilli(ts).toString());
      row.put("label", label);
      row.put("buys_1h", -1000); // a stale copy in the spine: the model must read the group's
      lines.add(JSON.writeValueAsString(row));
    }
    return Files.write(dir.resolve("spine.jsonl"), lines);
  }

  static Map<Long, Record> byId(Table t) {
    Map<Long, Record> out = new HashMap<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
      for (Record r : it) out.put(((Number) r.getField("id")).longValue(), r.copy());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static long count(Table t) throws IOException {
    long n = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
      for (Record ignored : it) n++;
    }
    return n;
  }

  static byte[] renameInput(byte[] onnx, String from, String to) throws Exception {
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(onnx);
    OnnxMl.ModelProto.Builder b = proto.toBuilder().clearMetadataProps();
    for (OnnxMl.StringStringEntryProto p : proto.getMetadataPropsList()) {
      if (p.getKey().equals(ModelSignature.METADATA_KEY)) {
        b.addMetadataProps(
            p.toBuilder().setValue(p.getValue().replace('"' + from + '"', '"' + to + '"')));
      } else {
        b.addMetadataProps(p);
      }
    }
    return b.build().toByteArray();
  }
}
