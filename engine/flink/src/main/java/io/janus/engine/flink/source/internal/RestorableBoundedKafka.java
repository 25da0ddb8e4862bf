package io.janus.engine.flink.source.internal;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A {@link KafkaSource} whose bounded form also ends after a restore. flink-connector-kafka 5.0's
 * restored enumerator never tells its readers there are no more splits (FLINK-31006, FLINK-33466:
 * its one discovery finds every partition already assigned and returns before it marks discovery
 * done), so a bounded stream resumed from a retained checkpoint or a savepoint reads to its
 * stopping offsets and then waits forever. Here the restored enumerator of a bounded source whose
 * discovery had finished, with every split assigned, tells each reader as it registers, after the
 * reader got back any splits it owns. Remove once the connector signals by itself (it would then
 * signal twice).
 */
public final class RestorableBoundedKafka<T>
    implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
  private final KafkaSource<T> kafka;

  public RestorableBoundedKafka(KafkaSource<T> kafka) {
    this.kafka = kafka;
  }

  @Override
  public Boundedness getBoundedness() {
    return kafka.getBoundedness();
  }

  @Override
  public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context)
      throws Exception {
    return kafka.createReader(context);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context) {
    return kafka.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state)
      throws IOException {
    SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restored =
        kafka.restoreEnumerator(context, state);
    boolean allAssigned = state.initialDiscoveryFinished() && state.unassignedSplits().isEmpty();
    return getBoundedness() == Boundedness.BOUNDED && allAssigned
        ? new Signalling(restored, context)
        : restored;
  }

  @Override
  public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
    return kafka.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
    return kafka.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return kafka.getProducedType();
  }

  /** The restored enumerator, telling each registering reader that no split is to come. */
  private static final class Signalling
      implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> inner;
    private final SplitEnumeratorContext<KafkaPartitionSplit> context;

    Signalling(
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> inner,
        SplitEnumeratorContext<KafkaPartitionSplit> context) {
      this.inner = inner;
      this.context = context;
    }

    @Override
    public void start() {
      inner.start();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
      inner.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
      inner.addSplitsBack(splits, subtaskId);
    }

    @Override
    public void addReader(int subtaskId) {
      inner.addReader(subtaskId); // hands the reader its returned splits, if any
      context.signalNoMoreSplits(subtaskId);
    }

    @Override
    public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
      return inner.snapshotState(checkpointId);
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      inner.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
      inner.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
      inner.handleSourceEvent(subtaskId, sourceEvent);
    }
  }
}
