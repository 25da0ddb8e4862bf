package io.janus.engine.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TimeQueueTest {
  @Test
  void behavesLikeASortedSetUnderMixedOrder() {
    Random rnd = new Random(5);
    TimeQueue q = new TimeQueue();
    TreeSet<Long> ref = new TreeSet<>();
    long clock = 0;
    for (int i = 0; i < 200_000; i++) {
      int op = rnd.nextInt(10);
      if (op < 6) {
        clock += rnd.nextInt(5);
        long t = rnd.nextInt(10) == 0 ? clock - rnd.nextInt(50) : clock; // mostly in order
        q.add(t);
        ref.add(t);
      } else if (!ref.isEmpty()) {
        assertThat(q.first()).isEqualTo(ref.first());
        assertThat(q.pollFirst()).isEqualTo(ref.pollFirst());
      }
      assertThat(q.size()).isEqualTo(ref.size());
    }
    assertThat(q.toArray()).containsExactly(ref.stream().mapToLong(Long::longValue).toArray());
  }
}
