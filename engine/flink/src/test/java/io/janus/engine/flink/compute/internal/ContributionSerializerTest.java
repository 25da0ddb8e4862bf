package io.janus.engine.flink.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.state.Contribution;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ContributionSerializerTest {
  private static Contribution roundTrip(Contribution c) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    ContributionSerializer.INSTANCE.serialize(c, out);
    return ContributionSerializer.INSTANCE.deserialize(
        new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void keepsPresentValuesAndDropsAbsentOnes() throws Exception {
    Contribution c =
        new Contribution(
            "u1\u001Fx",
            42L,
            "e1",
            0b1011L,
            new double[] {1.5, 9, 0, -2},
            new String[] {null, "b", null, "d".repeat(70_000)});
    Contribution back = roundTrip(c);
    assertThat(back.key).isEqualTo("u1\u001Fx");
    assertThat(back.ts).isEqualTo(42L);
    assertThat(back.eventId).isEqualTo("e1");
    assertThat(back.mask).isEqualTo(0b1011L);
    assertThat(back.num[0]).isEqualTo(1.5);
    assertThat(back.num[1]).isEqualTo(9);
    assertThat(back.num[3]).isEqualTo(-2);
    assertThat(back.num[2]).isZero(); // absent: not transported
    assertThat(back.str[1]).isEqualTo("b");
    assertThat(back.str[3]).hasSize(70_000);
  }

  @Test
  void copiesSerializedRecordsByteForByte() throws Exception {
    DataOutputSerializer written = new DataOutputSerializer(64);
    Contribution[] records = {
      new Contribution(
          "u1\u001Fx",
          42L,
          "e1",
          0b1011L,
          new double[] {1.5, Double.NaN, 0, -2},
          new String[] {"é", "b", null, "d".repeat(70_000)}),
      new Contribution("k", 7L, "", 0L, null, null),
      new Contribution("k2", -3L, "e\u20AC", 0b100L, null, new String[] {null, null, "x"})
    };
    for (Contribution c : records) ContributionSerializer.INSTANCE.serialize(c, written);
    byte[] bytes = written.getCopyOfBuffer();
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    DataOutputSerializer copied = new DataOutputSerializer(64);
    for (int i = 0; i < records.length; i++) ContributionSerializer.INSTANCE.copy(in, copied);
    assertThat(in.available()).isZero();
    assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
  }

  @Test
  void markersHaveNoValues() throws Exception {
    Contribution back = roundTrip(new Contribution("k", 7L, "", 0L, null, null));
    assertThat(back.mask).isZero();
    assertThat(back.num).isNull();
    assertThat(back.str).isNull();
  }
}
