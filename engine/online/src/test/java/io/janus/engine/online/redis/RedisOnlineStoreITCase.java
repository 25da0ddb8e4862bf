package io.janus.engine.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.OnlineRow;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guarded writes, reads and persistence against a real redis-server. */
class RedisOnlineStoreITCase {
  @TempDir Path dir;

  private static OnlineRow row(String key, long validFrom, String... kv) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) values.put(kv[i], kv[i + 1]);
    return new OnlineRow("g", key, validFrom, "v1", 0, values);
  }

  @Test
  void olderWritesNeverRegressNewerOnes() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      assertThat(store.multiPut(List.of(row("u1", 200, "f", "2"))).join()).containsExactly(true);
      assertThat(store.multiPut(List.of(row("u1", 100, "f", "1"), row("u2", 50, "f", "9"))).join())
          .containsExactly(false, true);
      assertThat(store.multiPut(List.of(row("u1", 200, "f", "3"))).join())
          .containsExactly(true); // same time: replay lands
      List<Map<String, String>> got = store.multiGet(List.of("g:u1", "g:u2", "g:nope"));
      assertThat(got.get(0))
          .containsEntry("f", "3")
          .containsEntry("_valid_from", "200")
          .containsEntry("_version", "v1");
      assertThat(got.get(1)).containsEntry("f", "9");
      assertThat(got.get(2)).isNull();
    }
  }

  @Test
  void correctionsReplaceOnlyWhatTheyCoverAndRetractionsRemoveKeys() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store.multiPut(List.of(row("u1", 200, "f", "2"), row("u2", 300, "f", "3"))).join();
      // An older row replaces a newer stored one only when the stored one is covered.
      OnlineRow back = new OnlineRow("g", "u1", 100, "v1", 0, Map.of("f", "1"), 199);
      assertThat(store.multiPut(List.of(back)).join()).containsExactly(false);
      back = new OnlineRow("g", "u1", 100, "v1", 0, Map.of("f", "1"), 200);
      assertThat(store.multiPut(List.of(back)).join()).containsExactly(true);
      assertThat(store.multiGet(List.of("g:u1")).get(0))
          .containsEntry("f", "1")
          .containsEntry("_valid_from", "100");
      // Retractions: refused over a newer value, applied over a covered one.
      assertThat(store.multiPut(List.of(OnlineRow.retraction("g", "u2", "v1", 299))).join())
          .containsExactly(false);
      assertThat(
              store
                  .multiPut(
                      List.of(
                          OnlineRow.retraction("g", "u2", "v1", 300),
                          OnlineRow.retraction("g", "none", "v1", 5)))
                  .join())
          .containsExactly(true, true);
      assertThat(store.multiGet(List.of("g:u2", "g:u1")))
          .containsExactly(null, store.multiGet(List.of("g:u1")).get(0));
    }
  }

  @Test
  void nullValuesRemoveFieldsAndExpiryFollowsValidFrom() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store.multiPut(List.of(row("u1", 1, "a", "1", "b", "2"))).join();
      Map<String, String> values = new HashMap<>();
      values.put("a", "5");
      values.put("b", null);
      store.multiPut(List.of(new OnlineRow("g", "u1", 2, "v1", 0, values))).join();
      assertThat(store.multiGet(List.of("g:u1")).get(0))
          .containsEntry("a", "5")
          .doesNotContainKey("b");
      long past = System.currentTimeMillis() - 1000;
      store
          .multiPut(
              List.of(
                  new OnlineRow("g", "old", past - 7 * 86_400_000L, "v1", past, Map.of("a", "1"))))
          .join();
      assertThat(store.multiGet(List.of("g:old")).get(0)).isNull();
    }
  }

  /**
   * A key's Redis expiry is never before valid_from + TTL, and at most one grid step (a minute
   * here) after it, whatever it held before; a definition without TTL clears an earlier
   * definition's expiry.
   */
  @Test
  void expiryNeverPrecedesTheTtlAndMovesOnAGrid() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri());
        var client = io.lettuce.core.RedisClient.create(redis.uri());
        var conn = client.connect()) {
      var sync = conn.sync();
      long day = 86_400_000L;
      long vf = System.currentTimeMillis() / 60_000 * 60_000 + 10;
      java.util.function.BiConsumer<Long, Long> expiresWithin =
          (ttl, t) -> {
            long expiresAt = System.currentTimeMillis() + sync.pttl("g:t");
            assertThat(expiresAt)
                .as("expiry after a write at %d", t)
                .isBetween(t + ttl - 50, t + ttl + RedisOnlineStore.expiryGrid(ttl, false) + 50);
          };
      // Steps within one grid step, across it, and a replay.
      for (long t : new long[] {vf, vf + 1, vf + 59_000, vf + 61_000, vf + 185_000, vf + 185_000}) {
        store.multiPut(List.of(new OnlineRow("g", "t", t, "v1", t + day, Map.of("a", "1")))).join();
        expiresWithin.accept(day, t);
      }
      // Backwards under replace_up_to, mixed in one call with a retraction and another key's write.
      long back = vf + 1000;
      assertThat(
              store
                  .multiPut(
                      List.of(
                          OnlineRow.retraction("g", "gone", "v1", 5),
                          new OnlineRow(
                              "g", "t", back, "v1", back + day, Map.of("a", "2"), vf + 185_000),
                          new OnlineRow("g", "u", vf, "v1", vf + day, Map.of("a", "3"))))
                  .join())
          .containsExactly(true, true, true);
      expiresWithin.accept(day, back);
      assertThat(store.multiGet(List.of("g:u")).get(0)).containsEntry("a", "3");
      // An expiry the script did not set (off the grid, e.g. by an older build) is still never kept
      // when early.
      sync.pexpireat("g:t", back + day + 7);
      store
          .multiPut(
              List.of(
                  new OnlineRow("g", "t", back + 500, "v1", back + 500 + day, Map.of("a", "4"))))
          .join();
      expiresWithin.accept(day, back + 500);
      // A new definition with a shorter TTL moves the expiry earlier; one without a TTL clears it.
      long hours2 = 7_200_000L;
      store
          .multiPut(
              List.of(
                  new OnlineRow(
                      "g", "t", vf + 200_000, "v2", vf + 200_000 + hours2, Map.of("a", "5"))))
          .join();
      expiresWithin.accept(hours2, vf + 200_000);
      store
          .multiPut(List.of(new OnlineRow("g", "t", vf + 300_000, "v3", 0, Map.of("a", "6"))))
          .join();
      assertThat(sync.pttl("g:t")).isEqualTo(-1L);
    }
  }

  /**
   * Readers judge the TTL from valid_from: a key Redis still holds past its TTL is absent to them.
   */
  @Test
  void readersDoNotSeeValuesPastTheirTtl() throws Exception {
    var group =
        io.janus.engine.core.testing.TestGroups.group(
            io.janus.engine.core.testing.TestGroups.ACTIVITY_YAML);
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      long ttl = group.ttl().toMillis();
      long vf = System.currentTimeMillis() - ttl + 300;
      store
          .multiPut(
              List.of(
                  new OnlineRow(group.name(), "u1", vf, "v1", vf + ttl, Map.of("views_5m", "3"))))
          .join();
      OnlineReader reader = new OnlineReader(store);
      assertThat(reader.get(group, "u1").found()).isTrue();
      Thread.sleep(400);
      assertThat(reader.get(group, "u1").found()).isFalse();
      if (60_000 - Math.floorMod(vf + ttl, 60_000) > 5_000) {
        assertThat(store.multiGet(List.of(group.name() + ":u1")).get(0))
            .as("Redis keeps it until the next grid step")
            .isNotNull();
      }
    }
  }

  @Test
  void valuesSurviveARestartAndTheScriptIsReloaded() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store.multiPut(List.of(row("u1", 10, "f", "1"))).join();
    }
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      assertThat(store.multiGet(List.of("g:u1")).get(0)).containsEntry("f", "1");
      // A server that lost its script cache (as after a restart) answers NOSCRIPT: the store
      // reloads and retries.
      try (var client = io.lettuce.core.RedisClient.create(redis.uri());
          var conn = client.connect()) {
        conn.sync().scriptFlush();
      }
      assertThat(store.multiPut(List.of(row("u1", 20, "f", "2"))).join()).containsExactly(true);
      assertThat(store.multiGet(List.of("g:u1")).get(0)).containsEntry("f", "2");
    }
  }

  @Test
  void oneProcessPerDirectory() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
      assertThatThrownBy(() -> EmbeddedRedis.start(dir))
          .hasMessageContaining("another janus process");
    }
  }

  @Test
  void pipelinedWritesOfManyRows() {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir);
        RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      OnlineRow[] rows = new OnlineRow[5000];
      for (int i = 0; i < rows.length; i++) rows[i] = row("k" + i, i, "f", Integer.toString(i));
      assertThat(store.multiPut(Arrays.asList(rows)).join()).hasSize(5000).containsOnly(true);
      assertThat(store.multiGet(List.of("g:k4999")).get(0)).containsEntry("f", "4999");
    }
  }
}
