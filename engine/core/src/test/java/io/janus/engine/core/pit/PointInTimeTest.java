package io.janus.engine.core.pit;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.testing.TestGroups;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PointInTimeTest {
  @Test
  void picksTheLatestRowAtOrBeforeEachTime() {
    long[] vf = {100, 200, 300};
    assertThat(PointInTime.pick(vf, new long[] {99, 100, 101, 199, 200, 299, 300, 1_000}))
        .containsExactly(-1, 0, 0, 0, 1, 1, 2, 2);
    assertThat(PointInTime.pick(new long[0], new long[] {5})).containsExactly(-1);
  }

  @Test
  void agreesWithALinearScanAtRandom() {
    Random rnd = new Random(7);
    for (int round = 0; round < 200; round++) {
      long[] vf = rnd.longs(rnd.nextInt(20), 0, 1_000).distinct().sorted().toArray();
      long[] times = rnd.longs(30, -10, 1_010).toArray();
      int[] picked = PointInTime.pick(vf, times);
      for (int i = 0; i < times.length; i++) {
        int expected = -1;
        for (int j = 0; j < vf.length; j++) if (vf[j] <= times[i]) expected = j;
        assertThat(picked[i]).isEqualTo(expected);
      }
    }
  }

  @Test
  void aRowExpiresExactlyWhenItsTtlHasPassedAsOnline() {
    FeatureGroup g = TestGroups.group(TestGroups.ACTIVITY_YAML); // ttl 1d
    long day = 86_400_000L;
    assertThat(g.liveAt(1_000, 1_000)).isTrue();
    assertThat(g.liveAt(1_000, 1_000 + day - 1)).isTrue();
    assertThat(g.liveAt(1_000, 1_000 + day)).isFalse();
  }
}
