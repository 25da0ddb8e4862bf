package io.janus.engine.online;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link OnlineStore} on Redis through Lettuce: one hash per (group, entity) with the feature fields
 * plus {@code _valid_from} and {@code _version}; writes go through a server-side Lua script that
 * compares {@code valid_from} atomically, and are pipelined. URIs may carry a password and TLS
 * ({@code rediss://:secret@host:6380}). One instance per thread: pipelining switches the
 * connection's auto-flush, which concurrent callers would trip over.
 */
public final class RedisOnlineStore implements OnlineStore {
  /** Field holding the epoch-ms valid_from of the stored values. */
  public static final String VALID_FROM = "_valid_from";
  /** Field holding the definition fingerprint the values were computed with. */
  public static final String VERSION = "_version";

  // KEYS[1] hash; ARGV: valid_from, version, expire_at_ms (0 = never), n_set, then n_set field/value pairs, then fields to delete.
  static final String GUARDED_PUT = """
      local stored = redis.call('HGET', KEYS[1], '_valid_from')
      if stored and tonumber(stored) > tonumber(ARGV[1]) then return 0 end
      local nset = tonumber(ARGV[4])
      local args = {'_valid_from', ARGV[1], '_version', ARGV[2]}
      for i = 5, 4 + 2 * nset do args[#args + 1] = ARGV[i] end
      redis.call('HSET', KEYS[1], unpack(args))
      for i = 5 + 2 * nset, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
      local expire = tonumber(ARGV[3])
      if expire > 0 then redis.call('PEXPIREAT', KEYS[1], expire) end
      return 1
      """;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> async;
  private final String sha;

  public RedisOnlineStore(String uri) {
    this(uri, Duration.ZERO);
  }

  /**
   * Connects, retrying with backoff for up to {@code patience} while the server is unreachable (a
   * restarting Redis must not fail the job). Once connected, Lettuce reconnects by itself and
   * queues commands meanwhile.
   */
  public RedisOnlineStore(String uri, Duration patience) {
    client = RedisClient.create(RedisURI.create(uri));
    long deadline = System.nanoTime() + patience.toNanos();
    long backoff = 100;
    StatefulRedisConnection<String, String> c;
    while (true) {
      try {
        c = client.connect();
        break;
      } catch (RedisConnectionException e) {
        if (System.nanoTime() + backoff * 1_000_000 > deadline) {
          client.shutdown();
          throw e;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          client.shutdown();
          throw e;
        }
        backoff = Math.min(backoff * 2, 2000);
      }
    }
    connection = c;
    async = connection.async();
    sha = connection.sync().scriptLoad(GUARDED_PUT);
  }

  @Override
  public CompletableFuture<List<Boolean>> multiPut(List<OnlineRow> rows) {
    return send(rows, false).thenCompose(result -> result != null ? CompletableFuture.completedFuture(result)
        // The server lost its script cache (a restart answers NOSCRIPT): send the script text, which
        // caches it again. Guarded writes are idempotent, so re-sending the whole batch is safe.
        : send(rows, true).thenApply(r -> {
          if (r == null) throw new IllegalStateException("redis refused the guarded-write script");
          return r;
        }));
  }

  /** One pipelined batch; completes with null when the server did not know the script. */
  private CompletableFuture<List<Boolean>> send(List<OnlineRow> rows, boolean withScriptText) {
    List<CompletableFuture<Long>> futures = new ArrayList<>(rows.size());
    connection.setAutoFlushCommands(false);
    try {
      for (OnlineRow r : rows) {
        String[] keys = {r.storeKey()};
        String[] args = args(r);
        futures.add((withScriptText
            ? async.<Long>eval(GUARDED_PUT, ScriptOutputType.INTEGER, keys, args)
            : async.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args)).toCompletableFuture());
      }
    } finally {
      // Never block here: this may run on Lettuce's event loop (the NOSCRIPT retry).
      connection.flushCommands();
      connection.setAutoFlushCommands(true);
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((ok, err) -> {
      if (err != null) {
        if (rootCause(err) instanceof RedisNoScriptException && !withScriptText) return null;
        throw new IllegalStateException("redis write failed: " + rootCause(err).getMessage(), err);
      }
      List<Boolean> out = new ArrayList<>(futures.size());
      for (CompletableFuture<Long> f : futures) out.add(f.join() == 1L);
      return out;
    });
  }

  private static String[] args(OnlineRow r) {
    List<String> set = new ArrayList<>();
    List<String> del = new ArrayList<>();
    for (Map.Entry<String, String> e : r.values().entrySet()) {
      if (e.getValue() == null) {
        del.add(e.getKey());
      } else {
        set.add(e.getKey());
        set.add(e.getValue());
      }
    }
    String[] args = new String[4 + set.size() + del.size()];
    args[0] = Long.toString(r.validFrom());
    args[1] = r.version();
    args[2] = Long.toString(r.expireAtMs());
    args[3] = Integer.toString(set.size() / 2);
    int i = 4;
    for (String s : set) args[i++] = s;
    for (String d : del) args[i++] = d;
    return args;
  }

  @Override
  public List<Map<String, String>> multiGet(List<String> storeKeys) {
    List<RedisFuture<Map<String, String>>> futures = new ArrayList<>(storeKeys.size());
    connection.setAutoFlushCommands(false);
    try {
      for (String k : storeKeys) futures.add(async.hgetall(k));
    } finally {
      connection.flushCommands();
      connection.setAutoFlushCommands(true);
    }
    LettuceFutures.awaitAll(Duration.ofSeconds(30), futures.toArray(new RedisFuture[0]));
    List<Map<String, String>> out = new ArrayList<>(storeKeys.size());
    for (RedisFuture<Map<String, String>> f : futures) {
      Map<String, String> m = f.toCompletableFuture().join();
      out.add(m == null || m.isEmpty() ? null : m);
    }
    return out;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }
}
