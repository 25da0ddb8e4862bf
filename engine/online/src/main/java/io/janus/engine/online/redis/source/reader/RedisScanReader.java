package io.janus.engine.online.redis.source.reader;

import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.redis.internal.RedisConnections;
import io.janus.engine.online.redis.internal.RedisKeys;
import io.janus.engine.online.redis.source.split.RedisScanSplit;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads the {@link RedisScanSplit}: each {@link #pollNext} runs one {@code SCAN} step and fetches
 * the accepted keys' hashes with pipelined {@code HMGET}s, so the task thread is never held for
 * more than one batch and checkpoint barriers and cancellation get through between batches.
 * Implements {@link SourceReader} directly rather than through {@code SourceReaderBase}: with one
 * split and short synchronous batches, a fetcher thread and its hand-over queue would add nothing.
 *
 * <p>All methods run on the task's mailbox thread, so the state needs no locking.
 */
public final class RedisScanReader implements SourceReader<String[], RedisScanSplit> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RedisScanReader.class);

  /**
   * Keys per SCAN step, as a hint to Redis: larger steps mean fewer round trips, smaller ones
   * shorter stalls.
   */
  public static final int SCAN_COUNT = 5000;

  /** Longest wait for one batch of HMGETs before the reader fails (and Flink restarts it). */
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(60);

  private static final String METADATA_PREFIX = "_janus:";

  private final SourceReaderContext context;
  private final String redisUri;
  private final String prefix;
  private final ScanArgs scanArgs;

  /**
   * {@code _valid_from}, {@code _version}, then the requested fields: HMGET returns them in this
   * order.
   */
  private final String[] hashFields;

  private final KeyFilter filter;

  private RedisScanSplit split;
  private boolean noMoreSplits;
  private boolean finished;
  private long startedNanos;
  private long emitted;

  /** The next SCAN step, already sent while the previous step's hashes were fetched. */
  private CompletableFuture<KeyScanCursor<String>> nextStep;

  /** Completed once there is something to do: a split arrived or none will. */
  private CompletableFuture<Void> available = new CompletableFuture<>();

  private RedisConnections redis;

  /** The servers still to scan (every master of a cluster), the current one first. */
  private java.util.ArrayDeque<StatefulRedisConnection<String, String>> servers;

  public RedisScanReader(
      SourceReaderContext context,
      String redisUri,
      String group,
      List<String> fields,
      KeyFilter filter) {
    this.context = context;
    this.redisUri = redisUri;
    this.prefix = group + ":";
    this.scanArgs = ScanArgs.Builder.matches(RedisKeys.matchPattern(group)).limit(SCAN_COUNT);
    this.hashFields = new String[fields.size() + 2];
    hashFields[0] = OnlineStore.VALID_FROM;
    hashFields[1] = OnlineStore.VERSION;
    for (int i = 0; i < fields.size(); i++) hashFields[2 + i] = fields.get(i);
    this.filter = filter;
  }

  /** Asks the enumerator for the split; the answer is the split or "no more splits". */
  @Override
  public void start() {
    context.sendSplitRequest();
  }

  /**
   * Emits one SCAN batch. {@code MORE_AVAILABLE} while the cursor goes on, {@code END_OF_INPUT}
   * once it is done or when this reader will never get the split, {@code NOTHING_AVAILABLE} while
   * waiting for the enumerator's answer.
   */
  @Override
  public InputStatus pollNext(ReaderOutput<String[]> output) throws Exception {
    if (split == null || finished) {
      if (finished || noMoreSplits) return InputStatus.END_OF_INPUT;
      if (available.isDone()) available = new CompletableFuture<>();
      return InputStatus.NOTHING_AVAILABLE;
    }
    if (redis == null) {
      redis = RedisConnections.open(redisUri, Duration.ZERO, null);
      servers = new java.util.ArrayDeque<>(redis.masters());
      startedNanos = System.nanoTime();
    }
    if (nextStep == null && !servers.isEmpty()) {
      nextStep = servers.peek().async().scan(ScanCursor.INITIAL, scanArgs).toCompletableFuture();
    }
    if (nextStep != null) {
      KeyScanCursor<String> step = nextStep.get(BATCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (String[] record : fetch(servers.peek(), step)) {
        output.collect(record);
        emitted++;
      }
      if (!step.isFinished()) return InputStatus.MORE_AVAILABLE;
      servers.poll(); // this server is done; the next one, if any
      if (!servers.isEmpty()) return InputStatus.MORE_AVAILABLE;
    }
    finished = true;
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    LOG.info(
        "redis scan of {}*: {} feature hashes read in {} s ({}/s)",
        prefix,
        emitted,
        String.format("%.1f", seconds),
        Math.round(emitted / Math.max(seconds, 1e-3)));
    return InputStatus.END_OF_INPUT;
  }

  /**
   * The accepted feature hashes among the keys of {@code step}, fetched in one pipelined round trip
   * that also carries the next SCAN step, so Redis never waits for the client between the two.
   */
  private List<String[]> fetch(
      StatefulRedisConnection<String, String> connection, KeyScanCursor<String> step)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> accepted = new ArrayList<>(step.getKeys().size());
    for (String key : step.getKeys()) {
      // MATCH already limits keys to the prefix; the check also guards against a server ignoring
      // it.
      if (!key.startsWith(prefix) || key.startsWith(METADATA_PREFIX)) continue;
      if (filter.accept(key.substring(prefix.length()))) accepted.add(key);
    }
    var async = connection.async();
    List<CompletableFuture<List<KeyValue<String, String>>>> futures =
        new ArrayList<>(accepted.size());
    connection.setAutoFlushCommands(false);
    try {
      for (String key : accepted) futures.add(async.hmget(key, hashFields).toCompletableFuture());
      nextStep = step.isFinished() ? null : async.scan(step, scanArgs).toCompletableFuture();
      connection.flushCommands();
    } finally {
      connection.setAutoFlushCommands(true);
    }
    if (accepted.isEmpty()) return List.of();
    // Wait for every reply, failed ones included (a WRONGTYPE reply must not hide the others).
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(BATCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException ignored) {
      // inspected per key below
    }
    List<String[]> out = new ArrayList<>(accepted.size());
    for (int i = 0; i < accepted.size(); i++) {
      List<KeyValue<String, String>> values;
      try {
        values = futures.get(i).get();
      } catch (ExecutionException e) {
        // Only a key of another type is skipped: any other failure would silently drop data.
        if (e.getCause() instanceof RedisCommandExecutionException c
            && c.getMessage() != null
            && c.getMessage().startsWith("WRONGTYPE")) continue;
        throw e;
      }
      // No _valid_from: deleted or expired since SCAN saw it, or not written by the online store.
      if (values == null || values.isEmpty() || !values.get(0).hasValue()) continue;
      String[] record = new String[values.size() + 1];
      record[0] = accepted.get(i).substring(prefix.length());
      for (int f = 0; f < values.size(); f++) record[1 + f] = values.get(f).getValueOrElse(null);
      out.add(record);
    }
    return out;
  }

  /** The split while it is being read: a restored reader scans it again from the start. */
  @Override
  public List<RedisScanSplit> snapshotState(long checkpointId) {
    return split == null || finished ? List.of() : List.of(split);
  }

  /** Completes when a split arrives or the enumerator says none will. */
  @Override
  public CompletableFuture<Void> isAvailable() {
    return available;
  }

  /** Takes the split (from the enumerator, or from this reader's restored state). */
  @Override
  public void addSplits(List<RedisScanSplit> splits) {
    if (splits.isEmpty()) return;
    split = splits.get(0);
    available.complete(null);
  }

  /** This reader gets no (further) split: it ends once its own split, if any, is read. */
  @Override
  public void notifyNoMoreSplits() {
    noMoreSplits = true;
    available.complete(null);
  }

  /** Closes the connection, if one was opened. */
  @Override
  public void close() {
    if (redis != null) redis.close();
  }
}
