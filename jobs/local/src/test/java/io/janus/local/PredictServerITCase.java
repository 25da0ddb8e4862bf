package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.Stage;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.onnx.OnnxModel;
import io.janus.registry.train.Trainer;
import io.janus.serving.FeatureServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /predict} on real components: a model trained on a point-in-time training set,
 * registered and promoted in the real registry, scored by the feature server over values synced
 * into a real Redis — checked against the ONNX file scored directly; then a promotion swapped in
 * under load without a failed request, and a tampered artifact refused while the version before
 * keeps serving.
 */
class PredictServerITCase {
  static final FeatureGroup USERS =
      TestGroups.group(TestGroups.ACTIVITY_YAML.replace("ttl: 1d", "ttl: 36500d"));
  static final String[] DAYS = {"2024-01-01", "2024-01-02"};
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  @Test
  void scoresWithTheProductionModelAndSwapsItOnPromotion() throws Exception {
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    List<Event> events = TestGroups.randomEvents(4000, 7, 30, DAYS);
    Backfill.of(warehouse, USERS, new ListEventSource(events))
        .withRange(LocalDate.parse(DAYS[0]), LocalDate.parse(DAYS[1]))
        .withReportDir(dir.resolve("reports"))
        .run(env());
    TrainingSet.of(warehouse, Spine.file(spine(events), "ts"), List.of(USERS), "buyers").run(env());
    Trainer.Trained trained = Trainer.of(warehouse, "buyers", "label").train();
    ModelRegistry registry = ModelRegistry.open(warehouse);
    ModelVersion v1 =
        registry
            .register("buyer")
            .artifact(trained.onnx(), ".onnx")
            .trainingSet("buyers")
            .register();
    registry.promote("buyer", v1.version(), Stage.PRODUCTION).change();

    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        RedisOnlineStore store = new RedisOnlineStore(redis.uri());
        RegistryModels models = new RegistryModels(ModelRegistry.open(warehouse));
        FeatureServer server =
            FeatureServer.builder()
                .groups(List.of(USERS))
                .store(store)
                .models(models)
                .modelRefresh(Duration.ofMillis(200))
                .servedLog(ServeCommand.servedLog(warehouse), 1.0)
                .servedLogFlush(Duration.ofMillis(200))
                .host("127.0.0.1")
                .port(0)
                .start()) {
      OnlineSync.of(warehouse, USERS, RedisOnlineStore.factory(redis.uri())).run(env());
      String base = "http://127.0.0.1:" + server.port();
      HttpClient http = HttpClient.newHttpClient();

      JsonNode health = JSON.readTree(get(http, base + "/healthz").body());
      assertThat(health.get("status").asText()).isEqualTo("ok");
      assertThat(health.get("models").get("buyer").asText()).isEqualTo("1.0.0");

      // Scores equal the ONNX file scored directly on the online values; an unknown user is
      // scored on imputed values and says so.
      HttpResponse<String> r =
          post(http, base + "/predict", "{\"entities\":[{\"user\":\"u1\"},{\"user\":\"nobody\"}]}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("model").asText()).isEqualTo("buyer");
      assertThat(body.get("model_version").asText()).isEqualTo("1.0.0");
      JsonNode u1 = body.get("predictions").get(0);
      JsonNode nobody = body.get("predictions").get(1);
      assertThat(u1.get("entity").get("user").asText()).isEqualTo("u1");
      OnlineReader.Result online = new OnlineReader(store).get(USERS, "u1");
      assertThat(online.found()).isTrue();
      assertThat(u1.get("features_freshness_ms").asLong())
          .isGreaterThanOrEqualTo(
              System.currentTimeMillis() - online.validFrom().toEpochMilli() - 60_000);
      try (OnnxModel model = OnnxModel.load(registry.load(v1), "reference")) {
        List<String> inputs = model.signature().names();
        double[] x = new double[inputs.size()];
        double[] none = new double[inputs.size()];
        for (int i = 0; i < x.length; i++) {
          String f = inputs.get(i).replace("activity__", "");
          x[i] = ModelSignature.value(online.features().get(f));
          none[i] = Double.NaN;
        }
        assertThat(u1.get("score").asDouble())
            .isCloseTo(model.score(new double[][] {x}, 1)[0], within(1e-6));
        assertThat(nobody.get("score").asDouble())
            .isCloseTo(model.score(new double[][] {none}, 1)[0], within(1e-6));
        assertThat(nobody.get("features_freshness_ms").isNull()).isTrue();
        assertThat(nobody.get("imputed")).hasSize(inputs.size());
      }

      // The served-feature log holds what was served, with the model and score, written back to
      // Iceberg off the request path.
      Map<String, org.apache.iceberg.data.Record> logged = new HashMap<>();
      long until = System.currentTimeMillis() + 20_000;
      while (logged.size() < 2 && System.currentTimeMillis() < until) {
        Thread.sleep(200);
        logged.clear();
        var table = warehouse.load(io.janus.engine.iceberg.served.ServedFeatures.ID);
        try (var rows = org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
          for (var rec : rows)
            logged.put(((Map<?, ?>) rec.getField("entity")).get("user") + "", rec.copy());
        }
      }
      assertThat(logged).containsKeys("u1", "nobody");
      var u1Logged = logged.get("u1");
      assertThat(u1Logged.getField("endpoint")).isEqualTo("POST /predict");
      assertThat(u1Logged.getField("feature_group")).isEqualTo("activity");
      assertThat(u1Logged.getField("model")).isEqualTo("buyer");
      assertThat(u1Logged.getField("model_version")).isEqualTo("1.0.0");
      assertThat((Double) u1Logged.getField("score")).isEqualTo(u1.get("score").asDouble());
      assertThat(u1Logged.getField("found")).isEqualTo(true);
      assertThat(((java.time.OffsetDateTime) u1Logged.getField("valid_from")).toInstant())
          .isEqualTo(online.validFrom());
      Map<String, String> servedFeatures = new HashMap<>();
      online
          .features()
          .forEach(
              (k, v) -> {
                if (v != null) servedFeatures.put(k, String.valueOf(v));
              });
      assertThat(u1Logged.getField("features")).isEqualTo(servedFeatures);
      assertThat(logged.get("nobody").getField("found")).isEqualTo(false);

      // Bad requests: 400 naming the field, 404 for a model not in production.
      assertThat(post(http, base + "/predict", "{\"model\":\"buyer\"}").body())
          .contains("entities");
      assertThat(
              post(
                      http,
                      base + "/predict",
                      "{\"model\":\"other\",\"entities\":[{\"user\":\"u1\"}]}")
                  .statusCode())
          .isEqualTo(404);
      HttpResponse<String> glob =
          post(
              http,
              base + "/predict",
              "{\"entities\":[{\"user\":\"u*\"},{\"user\":\"a\\r\\nFLUSHALL\"}]}");
      assertThat(glob.statusCode()).isIn(400, 200);
      if (glob.statusCode() == 200) {
        // A glob is a plain (unknown) key value, never a pattern: nothing found, all imputed.
        assertThat(
                JSON.readTree(glob.body())
                    .get("predictions")
                    .get(0)
                    .get("features_freshness_ms")
                    .isNull())
            .isTrue();
      }

      // A promotion under load: every request answered, by 1.0.0 until the swap, then by 1.0.1.
      AtomicBoolean stop = new AtomicBoolean();
      List<String> seen = new ArrayList<>();
      List<Integer> statuses = new ArrayList<>();
      Thread load =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    HttpResponse<String> p =
                        post(http, base + "/predict", "{\"entities\":[{\"user\":\"u2\"}]}");
                    statuses.add(p.statusCode());
                    if (p.statusCode() == 200)
                      seen.add(JSON.readTree(p.body()).get("model_version").asText());
                  } catch (Exception e) {
                    statuses.add(-1);
                  }
                }
              });
      load.start();
      Thread.sleep(300);
      ModelVersion v2 =
          registry
              .register("buyer")
              .artifact(trained.onnx(), ".onnx")
              .trainingSet("buyers")
              .register();
      registry.promote("buyer", v2.version(), Stage.PRODUCTION).change();
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline
          && !"1.0.1"
              .equals(
                  JSON.readTree(get(http, base + "/healthz").body())
                      .get("models")
                      .get("buyer")
                      .asText())) Thread.sleep(100);
      Thread.sleep(300);
      stop.set(true);
      load.join();
      assertThat(statuses).isNotEmpty().allMatch(s -> s == 200);
      assertThat(seen).startsWith("1.0.0").endsWith("1.0.1");
      assertThat(seen.subList(seen.indexOf("1.0.1"), seen.size())).containsOnly("1.0.1");

      // A tampered artifact is refused; the version before keeps serving, health says why.
      ModelVersion v3 =
          registry
              .register("buyer")
              .artifact(trained.onnx(), ".onnx")
              .trainingSet("buyers")
              .register();
      Path artifact =
          Path.of(
              URI.create(
                  v3.artifact().startsWith("file:") ? v3.artifact() : "file://" + v3.artifact()));
      Files.write(artifact, new byte[] {1, 2, 3});
      registry.promote("buyer", v3.version(), Stage.PRODUCTION).change();
      deadline = System.currentTimeMillis() + 30_000;
      JsonNode h = JSON.readTree(get(http, base + "/healthz").body());
      while (System.currentTimeMillis() < deadline && !h.has("model_error")) {
        Thread.sleep(100);
        h = JSON.readTree(get(http, base + "/healthz").body());
      }
      assertThat(h.get("status").asText()).isEqualTo("degraded");
      assertThat(h.get("model_error").asText()).contains("buyer@1.0.2");
      HttpResponse<String> still =
          post(http, base + "/predict", "{\"entities\":[{\"user\":\"u2\"}]}");
      assertThat(still.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(still.body()).get("model_version").asText()).isEqualTo("1.0.1");
    }
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Spine rows labelled "bought in the hour up to the row's time", learnable from buys_1h. */
  Path spine(List<Event> events) throws Exception {
    Map<String, List<Long>> buys = new HashMap<>();
    for (Event e : events) {
      if ("buy".equals(e.values[3]))
        buys.computeIfAbsent((String) e.values[2], k -> new ArrayList<>()).add(e.ts);
    }
    Random rnd = new Random(11);
    long start = Instant.parse(DAYS[0] + "T00:00:00Z").toEpochMilli();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String user = "u" + rnd.nextInt(30);
      long ts = start + (long) (rnd.nextDouble() * 2 * 86_400_000L);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("user", user);
      row.put("ts", Instant.ofEpochMilli(ts).toString());
      row.put(
          "label",
          buys.getOrDefault(user, List.of()).stream().anyMatch(b -> b <= ts && b > ts - 3_600_000));
      lines.add(JSON.writeValueAsString(row));
    }
    return Files.write(dir.resolve("spine.jsonl"), lines);
  }
}
