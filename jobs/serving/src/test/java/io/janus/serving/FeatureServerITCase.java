package io.janus.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature server on a real (embedded) Redis, through HTTP. */
class FeatureServerITCase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final FeatureGroup ACTIVITY = TestGroups.group(TestGroups.ACTIVITY_YAML);
  static final FeatureGroup PAIR =
      TestGroups.group(
          """
          name: pair
          version: 1
          entity: [user, item]
          source: clicks
          hop: 1m
          ttl: 1d
          features:
            - {name: views_1h, agg: count, where: "kind == 'view'", window: 1h}
          """);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  record Answer(int status, JsonNode body) {}

  static Answer get(FeatureServer server, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().startsWith("{") ? JSON.readTree(r.body()) : null);
  }

  static Answer post(FeatureServer server, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/features"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  static void write(
      RedisOnlineStore store,
      FeatureGroup g,
      String key,
      long validFrom,
      Map<String, String> values) {
    long ttl = 86_400_000L;
    store
        .multiPut(
            List.of(
                new OnlineRow(
                    g.name(), key, validFrom, g.fingerprint(), validFrom + ttl + 120_000, values)))
        .join();
  }

  FeatureServer start(RedisOnlineStore store) {
    return FeatureServer.builder()
        .groups(List.of(ACTIVITY, PAIR))
        .store(store)
        .host("127.0.0.1")
        .port(0)
        .start();
  }

  @Test
  void everyEndpointAnswersWhatRedisHolds() throws Exception {
    long now = System.currentTimeMillis();
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        RedisOnlineStore store =
            RedisOnlineStore.failingFast(
                redis.uri(), Duration.ofSeconds(10), Duration.ofSeconds(1));
        FeatureServer server = start(store)) {
      write(
          store,
          ACTIVITY,
          "u1",
          now - 60_000,
          Map.of(
              "views_5m", "3", "buys_1h", "1", "spend_1h", "9.5", "cr_1h", "0.3333333333333333"));
      // Past the group's 1-day TTL but not yet dropped by Redis: not served.
      write(
          store,
          ACTIVITY,
          "u-old",
          now - 86_400_000L - 10_000,
          Map.of("views_5m", "1", "buys_1h", "0", "spend_1h", "0.0"));
      write(store, PAIR, "u1|i1", now - 5_000, Map.of("views_1h", "7"));
      // A key another request might try to reach.
      store.putMetadata("_janus:secret", Map.of("token", "s3cr3t"));

      Answer one = get(server, "/features/activity/u1");
      assertThat(one.status()).isEqualTo(200);
      assertThat(one.body().get("group").asText()).isEqualTo("activity");
      assertThat(one.body().get("user").asText()).isEqualTo("u1");
      assertThat(one.body().get("features").get("views_5m").asLong()).isEqualTo(3);
      assertThat(one.body().get("features").get("spend_1h").asDouble()).isEqualTo(9.5);
      assertThat(one.body().get("valid_from").asText())
          .isEqualTo(java.time.Instant.ofEpochMilli(now - 60_000).toString());
      assertThat(one.body().get("staleness_ms").asLong()).isBetween(60_000L, 120_000L);
      assertThat(one.body().get("version").asText()).isEqualTo(ACTIVITY.fingerprint());

      assertThat(get(server, "/features/activity/nobody").status()).isEqualTo(404);
      assertThat(get(server, "/features/activity/u-old").status())
          .as("past its TTL")
          .isEqualTo(404);
      Answer unknown = get(server, "/features/nogroup/u1");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body().get("error").asText()).contains("unknown group 'nogroup'");

      Answer pair = get(server, "/features/pair/u1/i1");
      assertThat(pair.status()).isEqualTo(200);
      assertThat(pair.body().get("item").asText()).isEqualTo("i1");
      assertThat(pair.body().get("features").get("views_1h").asLong()).isEqualTo(7);
      Answer short1 = get(server, "/features/pair/u1");
      assertThat(short1.status()).isEqualTo(400);
      assertThat(short1.body().get("error").asText())
          .contains("keyed by user, item")
          .contains("got 1");

      // Keys that are not plain values never reach another key.
      for (String path :
          List.of(
              "/features/activity/u1%0D%0AFLUSHALL",
              "/features/activity/u1%7Cx",
              "/features/pair/u1,x/i1",
              "/features/activity/" + "x".repeat(600))) {
        Answer a = get(server, path);
        assertThat(a.status()).as(path).isEqualTo(400);
      }
      for (String path :
          List.of(
              "/features/activity/*",
              "/features/activity/u%3F",
              "/features/activity/..%2F_janus:secret",
              "/features/activity/%2E%2E/_janus:secret")) {
        Answer a = get(server, path);
        assertThat(a.status()).as(path).isIn(400, 404);
        assertThat(a.body().toString()).as(path).doesNotContain("s3cr3t");
      }

      Answer many =
          post(
              server,
              "{\"entities\": [{\"user\": \"u1\", \"item\": \"i1\"}, {\"user\": \"nobody\", \"item\": \"i1\"}],"
                  + " \"groups\": [\"activity\", \"pair\"]}");
      assertThat(many.status()).isEqualTo(200);
      JsonNode results = many.body().get("results");
      assertThat(results).hasSize(2);
      assertThat(results.get(0).get("entity").get("user").asText()).isEqualTo("u1");
      assertThat(
              results.get(0).get("groups").get("activity").get("features").get("views_5m").asLong())
          .isEqualTo(3);
      assertThat(results.get(0).get("groups").get("pair").get("features").get("views_1h").asLong())
          .isEqualTo(7);
      assertThat(results.get(1).get("groups").get("activity").isNull()).isTrue();
      assertThat(results.get(1).get("groups").get("pair").isNull()).isTrue();

      Answer missing = post(server, "{\"entities\": [{\"user\": \"u1\"}], \"groups\": [\"pair\"]}");
      assertThat(missing.status()).isEqualTo(400);
      assertThat(missing.body().get("error").asText())
          .isEqualTo("entities[0]: missing 'item', a key field of group pair");
      assertThat(
              post(server, "{\"entities\": [{\"user\": \"u1\"}], \"groups\": [\"nope\"]}")
                  .body()
                  .get("error")
                  .asText())
          .isEqualTo("groups[0]: unknown group 'nope'");
      assertThat(
              post(
                      server,
                      "{\"entities\": [{\"user\": \"u1\"}], \"groups\": [\"activity\", \"activity\"]}")
                  .body()
                  .get("error")
                  .asText())
          .isEqualTo("groups[1]: 'activity' is asked for twice");
      assertThat(post(server, "not json").status()).isEqualTo(400);
      assertThat(post(server, "{\"entities\": [], \"groups\": [\"pair\"]}").status())
          .isEqualTo(400);

      Answer health = get(server, "/healthz");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body().get("status").asText()).isEqualTo("ok");
      HttpResponse<String> metrics =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("janus_serve_requests_total{endpoint=\"GET /features\",status=\"200\"}")
          .contains("janus_serve_request_duration_seconds_bucket")
          .contains("janus_serve_store_round_trip_seconds_count")
          .contains("janus_serve_lookups_total{found=\"false\",group=\"activity\"}");
      HttpResponse<String> openApi =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/openapi.yaml"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(openApi.statusCode()).isEqualTo(200);
      assertThat(openApi.body()).contains("/features/{group}/{key}");

      // The Java client reads the same.
      OnlineClient client = OnlineClient.of(URI.create("http://127.0.0.1:" + server.port()));
      assertThat(((Map<?, ?>) client.get("activity", "u1").get("features")).get("views_5m"))
          .isEqualTo(3);
      assertThat(client.get("activity", "nobody")).isNull();
      assertThat(client.get("pair", "u1", "i1").get("item")).isEqualTo("i1");
      List<Map<String, Map<String, Object>>> all =
          client.getAll(
              List.of(Map.of("user", "u1", "item", "i1"), Map.of("user", "nobody", "item", "i1")),
              List.of("pair"));
      assertThat(all.get(0).get("pair").get("features")).isEqualTo(Map.of("views_1h", 7));
      assertThat(all.get(1).get("pair")).isNull();
      assertThatThrownBy(() -> client.get("nogroup", "u1"))
          .isInstanceOf(OnlineClient.ServerError.class)
          .hasMessageContaining("404")
          .hasMessageContaining("unknown group");
    }
  }

  /**
   * Redis stopped under load: every request still answers quickly (503 with the reason while Redis
   * is away), health says so, and once Redis is back on its port the server serves again by itself.
   */
  @Test
  void aLostRedisGivesFast503sAndTheServerRecoversByItself() throws Exception {
    Path data = dir.resolve("redis");
    EmbeddedRedis redis = EmbeddedRedis.start(data);
    int port = redis.port();
    EmbeddedRedis restarted = null;
    try (RedisOnlineStore store =
            RedisOnlineStore.failingFast(
                redis.uri(), Duration.ofSeconds(10), Duration.ofMillis(500));
        FeatureServer server = start(store)) {
      write(store, ACTIVITY, "u1", System.currentTimeMillis() - 1000, Map.of("views_5m", "2"));
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<long[]> answers = new ConcurrentLinkedQueue<>(); // status, millis
      List<Thread> load = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread th =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                      int status = get(server, "/features/activity/u1").status();
                      answers.add(new long[] {status, (System.nanoTime() - t0) / 1_000_000});
                    } catch (Exception e) {
                      answers.add(new long[] {-1, (System.nanoTime() - t0) / 1_000_000});
                    }
                  }
                });
        th.start();
        load.add(th);
      }
      Thread.sleep(500);
      redis.close();
      Thread.sleep(1500);
      Answer down = get(server, "/features/activity/u1");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.body().get("error").asText()).startsWith("online store unavailable");
      assertThat(get(server, "/healthz").status()).isEqualTo(503);
      restarted = EmbeddedRedis.start(data, port);
      long deadline = System.currentTimeMillis() + 30_000;
      int status = 0;
      while (System.currentTimeMillis() < deadline
          && (status = get(server, "/features/activity/u1").status()) != 200) Thread.sleep(200);
      assertThat(status).as("served again after Redis came back").isEqualTo(200);
      Thread.sleep(300);
      stop.set(true);
      for (Thread th : load) th.join(10_000);
      assertThat(load).noneMatch(Thread::isAlive);
      List<long[]> all = new ArrayList<>(answers);
      assertThat(all).hasSizeGreaterThan(50);
      assertThat(all).allSatisfy(a -> assertThat(a[0]).isIn(200L, 503L));
      assertThat(all).anySatisfy(a -> assertThat(a[0]).isEqualTo(503L));
      long slowest = all.stream().mapToLong(a -> a[1]).max().orElseThrow();
      assertThat(slowest).as("slowest answer, ms").isLessThan(3_000);
      assertThat(get(server, "/healthz").status()).isEqualTo(200);
    } finally {
      if (restarted != null) restarted.close();
    }
  }
}
