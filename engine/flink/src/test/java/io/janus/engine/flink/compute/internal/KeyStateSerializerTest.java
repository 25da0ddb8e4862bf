package io.janus.engine.flink.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;
import io.janus.engine.core.state.FeatureStateMachine;
import io.janus.engine.core.state.KeyState;
import io.janus.engine.core.testing.TestGroups;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The Flink serializer of key state and its snapshot: what a savepoint stores and restores. */
class KeyStateSerializerTest {
  static final FeatureGroup MIX = TestGroups.group(TestGroups.MIX_YAML);

  /** The state of one key after some events of every aggregation kind, some still pending. */
  static KeyState someState(GroupPlan plan) {
    ContributionExtractor ex = new ContributionExtractor(plan);
    FeatureStateMachine m = new FeatureStateMachine(plan);
    List<Contribution> cs =
        TestGroups.randomEvents(400, 5, 1, "2024-01-01").stream()
            .map(ex::extract)
            .filter(c -> c != null)
            .sorted(Comparator.comparingLong(c -> c.ts))
            .toList();
    KeyState s = m.newState();
    for (int i = 0; i < cs.size(); i++) {
      m.add(s, cs.get(i));
      if (i == cs.size() / 2) m.advance(s, cs.get(i).ts, false, (t, v) -> {});
    }
    return s;
  }

  static byte[] bytes(TypeSerializer<KeyState> serializer, KeyState s) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(s, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void aRestoredSnapshotReadsWhatTheOriginalWrote() throws Exception {
    GroupPlan plan = GroupPlan.of(MIX);
    KeyStateSerializer serializer = new KeyStateSerializer(plan);
    byte[] state = bytes(serializer, someState(plan));
    assertThat(state.length).isGreaterThan(100);

    DataOutputSerializer snapshotOut = new DataOutputSerializer(4096);
    TypeSerializerSnapshot.writeVersionedSnapshot(snapshotOut, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<KeyState> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(snapshotOut.getCopyOfBuffer()), getClass().getClassLoader());
    TypeSerializer<KeyState> again = restored.restoreSerializer();

    KeyState read = again.deserialize(new DataInputDeserializer(state));
    assertThat(bytes(again, read)).as("the same bytes after a round trip").isEqualTo(state);
    assertThat(again).isEqualTo(serializer);
    assertThat(
            serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAsIs())
        .isTrue();
  }

  @Test
  void aChangedDefinitionIsIncompatibleRatherThanMisread() {
    GroupPlan plan = GroupPlan.of(MIX);
    GroupPlan changed =
        GroupPlan.of(TestGroups.group(TestGroups.MIX_YAML.replace("version: 1", "version: 2")));
    assertThat(changed.group().fingerprint()).isNotEqualTo(plan.group().fingerprint());
    TypeSerializerSnapshot<KeyState> old = new KeyStateSerializer(plan).snapshotConfiguration();
    assertThat(
            new KeyStateSerializer(changed)
                .snapshotConfiguration()
                .resolveSchemaCompatibility(old)
                .isIncompatible())
        .isTrue();
  }
}
