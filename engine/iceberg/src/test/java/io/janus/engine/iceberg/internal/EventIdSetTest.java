package io.janus.engine.iceberg.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventIdSetTest {
  @Test
  void holdsExactlyTheAddedIdsThroughManyResizes() {
    EventIdSet set = new EventIdSet();
    Set<String> reference = new HashSet<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      String id = "e" + rnd.nextInt(150_000);
      assertThat(set.add(id)).isEqualTo(reference.add(id));
    }
    assertThat(set.size()).isEqualTo(reference.size());
    for (int i = 0; i < 150_000; i++) {
      assertThat(set.contains("e" + i)).isEqualTo(reference.contains("e" + i));
    }
    assertThat(set.contains("")).isFalse();
    assertThat(set.add("")).isTrue();
    assertThat(set.contains("")).isTrue();
  }
}
