package io.janus.engine.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link TimeMap} against {@link TreeMap} under the access pattern of key state and at random. */
class TimeMapTest {
  static void assertSame(TimeMap m, TreeMap<Long, Object[]> ref) {
    assertThat(m.size()).isEqualTo(ref.size());
    assertThat(m.isEmpty()).isEqualTo(ref.isEmpty());
    List<Long> keys = new ArrayList<>();
    for (int i = m.start(); i < m.end(); i++) {
      keys.add(m.keyAt(i));
      assertThat(m.valueAt(i)).isSameAs(ref.get(m.keyAt(i)));
    }
    assertThat(keys).containsExactlyElementsOf(ref.keySet());
    if (!ref.isEmpty()) assertThat(m.firstKey()).isEqualTo(ref.firstKey());
  }

  @Test
  void behavesAsASortedMapUnderRandomOperations() {
    for (long seed = 0; seed < 20; seed++) {
      Random rnd = new Random(seed);
      TimeMap m = new TimeMap();
      TreeMap<Long, Object[]> ref = new TreeMap<>();
      long clock = 0;
      for (int op = 0; op < 5_000; op++) {
        // Mostly forward in time, sometimes back a little: as events and expiries arrive.
        clock += rnd.nextInt(3);
        long t = rnd.nextInt(5) == 0 ? clock - rnd.nextInt(50) : clock;
        switch (rnd.nextInt(6)) {
          case 0, 1 -> {
            Object[] v = {t};
            m.put(t, v);
            ref.put(t, v);
          }
          case 2 -> {
            Object[] created = m.computeIfAbsent(t, k -> new Object[] {k});
            Object[] expected = ref.computeIfAbsent(t, k -> created);
            assertThat(created).isSameAs(expected);
          }
          case 3 -> assertThat(m.remove(t)).isSameAs(ref.remove(t));
          case 4 -> {
            if (!ref.isEmpty()) {
              m.pollFirst();
              ref.pollFirstEntry();
            }
          }
          default -> assertThat(m.get(t)).isSameAs(ref.get(t));
        }
        if (op % 97 == 0) {
          assertSame(m, ref);
          long from = clock - rnd.nextInt(100);
          List<Long> tail = new ArrayList<>();
          for (int i = m.firstAfter(from); i < m.end(); i++) tail.add(m.keyAt(i));
          assertThat(tail).containsExactlyElementsOf(ref.tailMap(from, false).keySet());
        }
      }
      assertSame(m, ref);
    }
  }

  @Test
  void aSlidingWindowOfAppendsAndExpiriesKeepsTheNewestEntries() {
    TimeMap m = new TimeMap();
    for (long t = 0; t < 100_000; t++) {
      m.put(t, new Object[0]);
      if (m.size() > 1440) m.pollFirst(); // a 24 h window of 1 m slices
    }
    assertThat(m.size()).isEqualTo(1440);
    assertThat(m.firstKey()).isEqualTo(100_000 - 1440);
    assertThat(m.get(99_999)).isNotNull();
    assertThat(m.get(1)).isNull();
  }
}
