package io.janus.engine.online.redis;

import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.internal.RedisConnections;
import io.janus.engine.online.redis.internal.RedisKeys;
import io.janus.engine.online.redis.internal.RedisScripts;
import io.janus.engine.online.redis.internal.RespArgs;
import io.janus.engine.online.redis.source.RedisScanSource;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OnlineStore} on Redis through Lettuce: one hash per (group, entity) with the feature
 * fields plus {@code _valid_from} and {@code _version}; writes go through a server-side Lua script
 * that compares {@code valid_from} atomically, several keys per call (so Redis parses and
 * dispatches fewer commands; on a cluster the keys of a call share a slot), and are pipelined. URIs
 * may carry a password and TLS ({@code rediss://:secret@host:6380}); {@code redis-cluster://} and
 * {@code rediss-cluster://} name a Redis Cluster by its seed nodes (see {@link RedisConnections});
 * there a batch completes once a replica of each master it wrote to holds it. One instance per
 * thread: pipelining switches the connection's auto-flush, which concurrent callers would trip
 * over.
 */
public final class RedisOnlineStore implements OnlineStore {
  // The guarded write, a Lua script run by the server: redis/internal/guarded_put.lua says how it
  // guards, writes and expires several keys per call.
  static final String GUARDED_PUT = RedisScripts.load("guarded_put.lua");

  /** Keys per script call: fewer calls cost Redis less than one call per key. */
  private static final int KEYS_PER_CALL = 50;

  /** How long a batch waits for a replica of each master it wrote to (on a cluster). */
  static final Duration REPLICA_WAIT = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineStore.class);

  private final String uri;
  private final java.util.concurrent.atomic.AtomicLong unreplicatedBatches =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong lastUnreplicatedLog =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 120_000_000_000L);
  private final RedisConnections redis;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> async;
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
      // On a cluster, a command sent to a master that just died would wait for Lettuce's one-minute
      // timeout while its replica takes over (measured: the stream stalled 60 s): fail it within
      // seconds instead, and the sink's retry goes to the new master.
      return isCluster(uri)
          ? failingFast(uri, Duration.ofSeconds(60), Duration.ofSeconds(5))
          : new RedisOnlineStore(uri, Duration.ofSeconds(60));
    }

    @Override
    public Source<String[], ?, ?> scan(String group, List<String> fields, KeyFilter filter) {
      return new RedisScanSource(uri, group, fields, filter);
    }

    /** The server without user or password (just "redis" when the URI does not parse). */
    @Override
    public String toString() {
      return RedisConnections.describe(uri);
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
    ClientOptions.Builder options =
        ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(timeout));
    // Not on a cluster: there Lettuce rejects every command while its first connection is down,
    // even those whose slot moved to a live master (measured: parity failed after a failover).
    if (!isCluster(uri))
      options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    return new RedisOnlineStore(uri, patience, options.build());
  }

  private RedisOnlineStore(String uri, Duration patience, ClientOptions options) {
    this.uri = uri;
    redis = RedisConnections.open(uri, patience, options);
    connection = redis.connection();
    async = redis.async();
    try {
      // On every server that holds keys: Lettuce's cluster-wide SCRIPT LOAD would also try a
      // master marked failed and fail with it. A server that loses its script cache later (a
      // restart, a promoted replica) answers NOSCRIPT, and the write is sent with the text.
      String loaded = null;
      for (var server : redis.masters())
        loaded =
            server.async().scriptLoad(GUARDED_PUT).get(60, java.util.concurrent.TimeUnit.SECONDS);
      sha = loaded;
    } catch (Exception e) {
      redis.close();
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "redis refused the guarded-write script: " + rootCause(e).getMessage(), e);
    }
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
      Map<String, String> c =
          async
              .configGet("maxmemory", "maxmemory-policy")
              .get(10, java.util.concurrent.TimeUnit.SECONDS);
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
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
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

  /**
   * One pipelined batch; completes with null when the server did not know the script. Rows are
   * grouped by their key's slot first, since the keys of one script call must share one on a
   * cluster (a standalone server has one slot for all).
   */
  private CompletableFuture<List<Boolean>> send(List<OnlineRow> rows, boolean withScriptText) {
    long now = System.currentTimeMillis();
    List<Call> calls = calls(rows);
    List<CompletableFuture<List<Object>>> futures = new ArrayList<>(calls.size());
    List<CompletableFuture<Long>> waits = new ArrayList<>();
    connection.setAutoFlushCommands(false);
    try {
      for (Call c : calls) {
        List<Integer> call = c.rows();
        RespArgs args =
            new RespArgs(512 + 320 * call.size())
                .text(withScriptText ? GUARDED_PUT : sha)
                .number(call.size());
        for (int i : call) args.key(rows.get(i).group(), rows.get(i).key());
        for (int i : call) addArgs(rows.get(i), args, now);
        futures.add(
            async
                .dispatch(
                    withScriptText ? CommandType.EVAL : CommandType.EVALSHA,
                    new NestedMultiOutput<>(StringCodec.UTF8),
                    args)
                .toCompletableFuture());
      }
      waitForReplicas(rows, calls, waits);
    } finally {
      // Never block here: this may run on Lettuce's event loop (the NOSCRIPT retry).
      connection.flushCommands();
      connection.setAutoFlushCommands(true);
    }
    List<CompletableFuture<?>> all = new ArrayList<>(futures);
    all.addAll(waits);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle(
            (ok, err) -> {
              if (err != null) {
                if (rootCause(err) instanceof RedisNoScriptException && !withScriptText)
                  return null;
                throw new IllegalStateException(
                    "redis write failed: " + rootCause(err).getMessage(), err);
              }
              Boolean[] out = new Boolean[rows.size()];
              for (int c = 0; c < calls.size(); c++) {
                List<Object> landed = futures.get(c).join();
                List<Integer> call = calls.get(c).rows();
                for (int j = 0; j < call.size(); j++)
                  out[call.get(j)] = ((Long) landed.get(j)) != 0L;
              }
              for (CompletableFuture<Long> w : waits)
                if (w.join() < 1) unreplicated(rows.size() + " writes");
              return java.util.Arrays.asList(out);
            });
  }

  /**
   * On a cluster, a {@code WAIT 1} after the batch's writes on every master they went to that has a
   * live replica: the batch completes (and the sink acknowledges it, so a checkpoint may pass it)
   * only once a replica holds the writes, which a failover then promotes with them. Without it, a
   * master killed right after answering loses writes the job already counts as done (Redis
   * replicates asynchronously). WAIT goes on the connection the writes went on (it is routed by one
   * of their keys) and answers for everything that connection sent. A replica that does not answer
   * within {@link #REPLICA_WAIT} does not stop the stream: the writes stay on the master alone,
   * which is logged. A write redirected to another master during a failover or a resharding (MOVED)
   * is not covered.
   */
  private void waitForReplicas(
      List<OnlineRow> rows, List<Call> calls, List<CompletableFuture<Long>> waits) {
    if (!redis.cluster()) return;
    java.util.Set<String> masters = new java.util.HashSet<>();
    for (Call call : calls) {
      OnlineRow r = rows.get(call.rows().get(0));
      String master = redis.replicatedMaster(call.slot());
      if (master == null || !masters.add(master)) continue;
      waits.add(
          async
              .dispatch(
                  CommandType.WAIT,
                  new IntegerOutput<>(StringCodec.UTF8),
                  new RespArgs(32)
                      .routedBy(r.group(), r.key())
                      .number(1)
                      .number(REPLICA_WAIT.toMillis()))
              .toCompletableFuture());
    }
  }

  private void unreplicated(String what) {
    long n = unreplicatedBatches.incrementAndGet();
    long now = System.nanoTime();
    long last = lastUnreplicatedLog.get();
    if (now - last > 60_000_000_000L && lastUnreplicatedLog.compareAndSet(last, now))
      LOG.warn(
          "{}: no replica confirmed {} within {} ms ({} batches so far): they are on the master"
              + " only until its replica catches up",
          RedisConnections.describe(uri),
          what,
          REPLICA_WAIT.toMillis(),
          n);
  }

  /**
   * The rows' indexes in script calls: at most {@link #KEYS_PER_CALL} keys each, all of one slot.
   */
  private List<Call> calls(List<OnlineRow> rows) {
    Map<Integer, List<Integer>> bySlot = new java.util.LinkedHashMap<>();
    if (!redis.cluster()) {
      List<Integer> all = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) all.add(i);
      bySlot.put(0, all);
    } else
      for (int i = 0; i < rows.size(); i++) {
        OnlineRow r = rows.get(i);
        bySlot
            .computeIfAbsent(redis.slot(r.group() + ":" + r.key()), s -> new ArrayList<>())
            .add(i);
      }
    List<Call> calls = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> slot : bySlot.entrySet()) {
      List<Integer> all = slot.getValue();
      for (int from = 0; from < all.size(); from += KEYS_PER_CALL)
        calls.add(
            new Call(slot.getKey(), all.subList(from, Math.min(all.size(), from + KEYS_PER_CALL))));
    }
    return calls;
  }

  /**
   * One script call: the indexes of its rows, whose keys all live in {@code slot} (0 on a
   * standalone server).
   */
  private record Call(int slot, List<Integer> rows) {}

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
   * Whether a URI names a Redis Cluster ({@code redis-cluster://host:port[,host:port…]}, {@code
   * rediss-cluster://} with TLS) rather than one server.
   *
   * @param uri a Redis URI
   * @return true for a cluster URI
   */
  public static boolean isCluster(String uri) {
    return RedisConnections.isCluster(uri);
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
    for (var server : redis.masters()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = await(server.async().scan(cursor, args));
        n += page.getKeys().size();
        cursor = page;
      } while (!cursor.isFinished());
    }
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
    await(async.hset(key, fields));
  }

  @Override
  public void close() {
    redis.close();
  }

  private static <T> T await(RedisFuture<T> f) {
    try {
      return f.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("redis: " + rootCause(e).getMessage(), e);
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }
}
