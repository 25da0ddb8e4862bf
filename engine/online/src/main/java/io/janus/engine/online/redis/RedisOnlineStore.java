package io.janus.engine.online.redis;

import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.internal.RedisKeys;
import io.janus.engine.online.redis.internal.RedisScripts;
import io.janus.engine.online.redis.internal.RespArgs;
import io.janus.engine.online.redis.source.RedisScanSource;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Source;

/**
 * {@link OnlineStore} on Redis through Lettuce: one hash per (group, entity) with the feature
 * fields plus {@code _valid_from} and {@code _version}; writes go through a server-side Lua script
 * that compares {@code valid_from} atomically, several keys per call (so Redis parses and
 * dispatches fewer commands; standalone Redis, as all keys of a call must share a cluster slot),
 * and are pipelined. URIs may carry a password and TLS ({@code rediss://:secret@host:6380}). One
 * instance per thread: pipelining switches the connection's auto-flush, which concurrent callers
 * would trip over.
 */
public final class RedisOnlineStore implements OnlineStore {
  // The guarded write, a Lua script run by the server: redis/internal/guarded_put.lua says how it
  // guards, writes and expires several keys per call.
  static final String GUARDED_PUT = RedisScripts.load("guarded_put.lua");

  /** Keys per script call: fewer calls cost Redis less than one call per key. */
  private static final int KEYS_PER_CALL = 50;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> async;
  private final String sha;

  /**
   * The factory of stores on the Redis at {@code uri}: each {@link OnlineStoreFactory#open}
   * connects anew, waiting up to a minute for a server that is restarting.
   *
   * @param uri as {@code RedisURI.create} reads it (it may carry a password; the factory never
   *     prints it)
   * @return the factory
   */
  public static OnlineStoreFactory factory(String uri) {
    return new Factory(uri);
  }

  /**
   * The serializable factory of {@link #factory}.
   *
   * @param uri the Redis URI
   */
  public record Factory(String uri) implements OnlineStoreFactory {
    @Override
    public OnlineStore open() {
      return new RedisOnlineStore(uri, Duration.ofSeconds(60));
    }

    @Override
    public Source<String[], ?, ?> scan(String group, List<String> fields, KeyFilter filter) {
      return new RedisScanSource(uri, group, fields, filter);
    }

    /** The server without user or password (just "redis" when the URI does not parse). */
    @Override
    public String toString() {
      try {
        io.lettuce.core.RedisURI u = io.lettuce.core.RedisURI.create(uri);
        return "redis " + u.getHost() + ":" + u.getPort() + "/" + u.getDatabase();
      } catch (RuntimeException e) {
        return "redis";
      }
    }
  }

  public RedisOnlineStore(String uri) {
    this(uri, Duration.ZERO);
  }

  /**
   * Connects, retrying with backoff for up to {@code patience} while the server is unreachable (a
   * restarting Redis must not fail the job). Once connected, Lettuce reconnects by itself and
   * queues commands meanwhile.
   */
  public RedisOnlineStore(String uri, Duration patience) {
    this(uri, patience, null);
  }

  /**
   * A store for a server's reads: while Redis is unreachable, commands fail at once instead of
   * queueing until it is back, and every command fails after {@code timeout}, so a request never
   * hangs on a lost server. Lettuce still reconnects by itself. Connecting waits up to {@code
   * patience} for a server that is starting.
   *
   * @param uri the Redis URI
   * @param patience how long to wait for the first connection
   * @param timeout how long any command may take
   * @return the store
   */
  public static RedisOnlineStore failingFast(String uri, Duration patience, Duration timeout) {
    return new RedisOnlineStore(
        uri,
        patience,
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
  }

  private RedisOnlineStore(String uri, Duration patience, ClientOptions options) {
    client = RedisClient.create(RedisURI.create(uri));
    if (options != null) client.setOptions(options);
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

  /**
   * Why this server may break the guard, if it may: with a memory limit and a {@code
   * maxmemory-policy} other than {@code noeviction}, Redis evicts feature keys (all of which carry
   * an expiry, so the {@code volatile-*} policies evict them too), and an evicted key no longer
   * holds the {@code valid_from} that refuses an older write. Empty when the policy is safe or the
   * server does not say (managed services often refuse {@code CONFIG}).
   */
  public java.util.Optional<String> evictionRisk() {
    try {
      Map<String, String> c = connection.sync().configGet("maxmemory", "maxmemory-policy");
      String policy = c.getOrDefault("maxmemory-policy", "noeviction");
      if ("0".equals(c.get("maxmemory")) || "noeviction".equals(policy))
        return java.util.Optional.empty();
      return java.util.Optional.of(
          "Redis evicts keys when it reaches maxmemory "
              + c.get("maxmemory")
              + " (maxmemory-policy "
              + policy
              + "): an evicted feature key loses the valid_from that guards it, so an older value"
              + " can land; set maxmemory-policy noeviction (writes then fail visibly and are"
              + " retried) and size maxmemory for the keys");
    } catch (RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  @Override
  public CompletableFuture<List<Boolean>> multiPut(List<OnlineRow> rows) {
    return send(rows, false)
        .thenCompose(
            result ->
                result != null
                    ? CompletableFuture.completedFuture(result)
                    // The server lost its script cache (a restart answers NOSCRIPT): send the
                    // script text, which
                    // caches it again. Guarded writes are idempotent, so re-sending the whole batch
                    // is safe.
                    : send(rows, true)
                        .thenApply(
                            r -> {
                              if (r == null)
                                throw new IllegalStateException(
                                    "redis refused the guarded-write script");
                              return r;
                            }));
  }

  /** One pipelined batch; completes with null when the server did not know the script. */
  private CompletableFuture<List<Boolean>> send(List<OnlineRow> rows, boolean withScriptText) {
    long now = System.currentTimeMillis();
    List<CompletableFuture<List<Object>>> futures =
        new ArrayList<>((rows.size() + KEYS_PER_CALL - 1) / KEYS_PER_CALL);
    connection.setAutoFlushCommands(false);
    try {
      for (int from = 0; from < rows.size(); from += KEYS_PER_CALL) {
        List<OnlineRow> chunk = rows.subList(from, Math.min(rows.size(), from + KEYS_PER_CALL));
        RespArgs args =
            new RespArgs(512 + 320 * chunk.size())
                .text(withScriptText ? GUARDED_PUT : sha)
                .number(chunk.size());
        for (OnlineRow r : chunk) args.text(r.group(), r.key());
        for (OnlineRow r : chunk) addArgs(r, args, now);
        futures.add(
            async
                .dispatch(
                    withScriptText ? CommandType.EVAL : CommandType.EVALSHA,
                    new NestedMultiOutput<>(StringCodec.UTF8),
                    args)
                .toCompletableFuture());
      }
    } finally {
      // Never block here: this may run on Lettuce's event loop (the NOSCRIPT retry).
      connection.flushCommands();
      connection.setAutoFlushCommands(true);
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .handle(
            (ok, err) -> {
              if (err != null) {
                if (rootCause(err) instanceof RedisNoScriptException && !withScriptText)
                  return null;
                throw new IllegalStateException(
                    "redis write failed: " + rootCause(err).getMessage(), err);
              }
              List<Boolean> out = new ArrayList<>(rows.size());
              for (CompletableFuture<List<Object>> f : futures) {
                for (Object landed : f.join()) out.add(((Long) landed) != 0L);
              }
              return out;
            });
  }

  private static void addArgs(OnlineRow r, RespArgs out, long now) {
    out.number(r.validFrom()).text(r.version()).number(r.expireAtMs()).number(r.replaceUpTo());
    if (r.isRetraction()) {
      out.number(-1).number(0).number(1);
      return;
    }
    int nset = 0;
    for (String v : r.values().values()) if (v != null) nset++;
    out.number(nset)
        .number(r.values().size() - nset)
        .number(expiryGrid(r.expireAtMs() - r.validFrom(), r.expireAtMs() <= now));
    for (Map.Entry<String, String> e : r.values().entrySet()) {
      if (e.getValue() != null) out.text(e.getKey()).text(e.getValue());
    }
    for (Map.Entry<String, String> e : r.values().entrySet()) {
      if (e.getValue() == null) out.text(e.getKey());
    }
  }

  /**
   * The step a key's Redis expiry moves in: 1 % of the TTL, at least 1 ms, at most a minute; 1 ms
   * for values already past their TTL, which Redis then removes at once.
   */
  static long expiryGrid(long ttlMs, boolean expired) {
    return expired ? 1 : Math.max(1, Math.min(60_000, ttlMs / 100));
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

  /**
   * The SCAN MATCH pattern for a group's keys: glob characters in the group name match literally.
   *
   * @param group the group's name
   * @return the pattern
   */
  public static String matchPattern(String group) {
    return RedisKeys.matchPattern(group);
  }

  @Override
  public long countKeys(String group) {
    ScanArgs args = ScanArgs.Builder.matches(RedisKeys.matchPattern(group)).limit(5000);
    long n = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = connection.sync().scan(cursor, args);
      n += page.getKeys().size();
      cursor = page;
    } while (!cursor.isFinished());
    return n;
  }

  @Override
  public CompletableFuture<List<Map<String, String>>> multiGetAsync(List<String> storeKeys) {
    // Every command is handed to the connection as one batch: written and flushed together, one
    // pipelined round trip, and safe to share (auto-flush stays on for other callers). Measured
    // with `janus bench serve` (POST /features, 100 entities × 3 groups, 200 requests/s, 2 cores,
    // one event loop): one async hgetall per key, each flushed on its own, p99 505 ms; one flush
    // per request, 241 ms (14 ms with two event loops).
    List<io.lettuce.core.protocol.AsyncCommand<String, String, Map<String, String>>> commands =
        new ArrayList<>(storeKeys.size());
    for (String k : storeKeys) {
      commands.add(
          new io.lettuce.core.protocol.AsyncCommand<>(
              new io.lettuce.core.protocol.Command<>(
                  io.lettuce.core.protocol.CommandType.HGETALL,
                  new io.lettuce.core.output.MapOutput<>(StringCodec.UTF8),
                  new io.lettuce.core.protocol.CommandArgs<>(StringCodec.UTF8).addKey(k))));
    }
    connection.dispatch(commands);
    List<CompletableFuture<Map<String, String>>> futures = new ArrayList<>(commands.size());
    for (var c : commands) futures.add(c.toCompletableFuture());
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            ok -> {
              List<Map<String, String>> out = new ArrayList<>(futures.size());
              for (CompletableFuture<Map<String, String>> f : futures) {
                Map<String, String> m = f.join();
                out.add(m == null || m.isEmpty() ? null : m);
              }
              return out;
            });
  }

  @Override
  public boolean reachable() {
    try {
      return "PONG".equals(async.ping().get(2, java.util.concurrent.TimeUnit.SECONDS));
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void putMetadata(String key, Map<String, String> fields) {
    connection.sync().hset(key, fields);
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
