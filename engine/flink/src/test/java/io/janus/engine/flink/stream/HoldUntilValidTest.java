package io.janus.engine.flink.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.online.OnlineRowEncoder;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/** The online store never runs ahead of the clock: rows valid later wait, in state, until due. */
class HoldUntilValidTest {
  static final FeatureGroup G = TestGroups.group(TestGroups.ACTIVITY_YAML);
  static final RowType TYPE = FeatureTables.rowType(G.schema());
  static final OnlineRowEncoder ENCODER = new OnlineRowEncoder(G, TYPE.getFieldNames());

  static RowData row(String user, long validFrom) {
    GenericRowData r = new GenericRowData(TYPE.getFieldCount());
    List<String> names = TYPE.getFieldNames();
    r.setField(names.indexOf("user"), StringData.fromString(user));
    r.setField(names.indexOf("valid_from"), TimestampData.fromEpochMillis(validFrom));
    return r;
  }

  static OneInputStreamOperatorTestHarness<RowData, RowData> harness() throws Exception {
    var h =
        new OneInputStreamOperatorTestHarness<>(
            new HoldUntilValid("activity", TYPE, ENCODER, Duration.ofSeconds(1)));
    h.setup(new RowDataSerializer(TYPE));
    return h;
  }

  static List<String> out(OneInputStreamOperatorTestHarness<RowData, RowData> h) {
    return h.extractOutputValues().stream()
        .map(r -> r.getString(TYPE.getFieldNames().indexOf("user")) + "@" + ENCODER.validFrom(r))
        .toList();
  }

  @Test
  void rowsValidLaterThanTheClockWaitUntilItReachesThemAcrossARestore() throws Exception {
    OperatorSubtaskState state;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(100_000);
      h.processElement(row("a", 90_000), 0); // valid already
      h.processElement(row("b", 100_900), 0); // within the allowed second ahead
      h.processElement(row("c", 160_000), 0); // a minute ahead
      h.processElement(row("d", 130_000), 0);
      assertThat(out(h)).containsExactly("a@90000", "b@100900");

      h.setProcessingTime(129_000); // d is due within the second ahead
      assertThat(out(h)).containsExactly("a@90000", "b@100900", "d@130000");
      // A due row passes at once, even while c waits.
      h.processElement(row("e", 120_000), 0);
      assertThat(out(h)).endsWith("e@120000");
      state = h.snapshot(1, 129_000);
    }
    // Restored elsewhere: c still waits, and leaves when its time comes.
    try (var h = harness()) {
      h.setProcessingTime(129_000);
      h.initializeState(state);
      h.open();
      assertThat(out(h)).isEmpty();
      h.setProcessingTime(158_999);
      assertThat(out(h)).isEmpty();
      h.setProcessingTime(159_000); // one second ahead of c
      assertThat(out(h)).containsExactly("c@160000");
    }
  }

  @Test
  void rowsStillWaitingAtTheEndOfABoundedInputAreNotWritten() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(100_000);
      h.processElement(row("a", 50_000), 0);
      h.processElement(row("a", 86_400_000), 0); // the final watermark fired tomorrow's expiry
      h.endInput();
      h.getOperator().finish();
      h.setProcessingTime(90_000_000);
      assertThat(out(h)).containsExactly("a@50000");
    }
  }
}
