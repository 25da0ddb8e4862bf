package io.janus.engine.online.redis.source.enumerator;

import io.janus.engine.online.redis.source.split.RedisScanSplit;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands the single {@link RedisScanSplit} to the first reader that asks and tells every reader,
 * that one included, that no more splits will come, so idle readers finish at once. Splits are
 * given on request rather than on registration so that a reader restarted after a failure, which
 * asks again, gets the split back.
 */
public final class RedisScanEnumerator implements SplitEnumerator<RedisScanSplit, Boolean> {
  private final SplitEnumeratorContext<RedisScanSplit> context;
  private boolean assigned;

  /**
   * @param assigned whether the split was already handed out (true when restored from a checkpoint
   *     taken after the assignment: the reader then has it in its own state)
   */
  public RedisScanEnumerator(SplitEnumeratorContext<RedisScanSplit> context, boolean assigned) {
    this.context = context;
    this.assigned = assigned;
  }

  /** Nothing to discover: the split is known up front. */
  @Override
  public void start() {}

  /** Assigns the split if still unassigned, then signals no more splits to the asking reader. */
  @Override
  public void handleSplitRequest(int subtaskId, String requesterHostname) {
    if (!assigned) {
      context.assignSplit(new RedisScanSplit(), subtaskId);
      assigned = true;
    }
    context.signalNoMoreSplits(subtaskId);
  }

  /**
   * A reader failed before checkpointing its split: hand it out again to the next reader that asks
   * (the restarted one does, from its {@code start()}).
   */
  @Override
  public void addSplitsBack(List<RedisScanSplit> splits, int subtaskId) {
    if (!splits.isEmpty()) assigned = false;
  }

  /** Nothing to do: readers ask for splits themselves. */
  @Override
  public void addReader(int subtaskId) {}

  /** Whether the split has been assigned. */
  @Override
  public Boolean snapshotState(long checkpointId) {
    return assigned;
  }

  /** Holds no resources. */
  @Override
  public void close() {}
}
