package io.janus.engine.core.testing;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;
import io.janus.engine.core.state.FeatureStateMachine;
import io.janus.engine.core.state.KeyState;
import io.janus.engine.core.state.KeyStateCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Drives {@link FeatureStateMachine} without Flink, the way the BATCH operator does. */
public final class MachineRunner {
  private MachineRunner() {}

  /** What happens to a key's state between two inputs. */
  public enum Between {
    /** Nothing: the state stays in memory. */
    NOTHING,
    /** It is written and read back, as if the job restored from a checkpoint each time. */
    RESTORE,
    /**
     * It is copied ({@link KeyStateCodec#copy}) and the run goes on with the copy, while the
     * original must not change: what the heap state backend does during a checkpoint.
     */
    COPY
  }

  public static List<Reference.Row> run(FeatureGroup group, List<Event> events) {
    return run(group, events, Between.NOTHING);
  }

  /**
   * @param between what happens to a key's state after every input
   */
  public static List<Reference.Row> run(FeatureGroup group, List<Event> events, Between between) {
    GroupPlan plan = GroupPlan.of(group);
    ContributionExtractor ex = new ContributionExtractor(plan);
    FeatureStateMachine m = new FeatureStateMachine(plan);
    KeyStateCodec codec = new KeyStateCodec(plan);
    Map<String, List<Contribution>> byKey = new TreeMap<>();
    for (Event e : events) {
      Contribution c = ex.extract(e);
      if (c != null) byKey.computeIfAbsent(c.key, k -> new ArrayList<>()).add(c);
    }
    List<Reference.Row> out = new ArrayList<>();
    for (Map.Entry<String, List<Contribution>> k : byKey.entrySet()) {
      KeyState s = m.newState();
      List<Contribution> cs = new ArrayList<>(k.getValue());
      cs.sort(Comparator.comparingLong(c -> c.ts));
      KeyState original = null;
      byte[] originalBytes = null;
      for (Contribution c : cs) {
        m.advance(
            s, c.ts, false, (t, v) -> out.add(new Reference.Row(k.getKey(), t, Arrays.asList(v))));
        m.add(s, c);
        requireUnchanged(codec, original, originalBytes);
        switch (between) {
          case NOTHING -> {}
          case RESTORE -> s = restore(codec, s);
          case COPY -> {
            original = s;
            originalBytes = bytes(codec, s);
            s = codec.copy(s);
          }
        }
      }
      m.advance(
          s,
          Long.MAX_VALUE,
          true,
          (t, v) -> out.add(new Reference.Row(k.getKey(), t, Arrays.asList(v))));
      requireUnchanged(codec, original, originalBytes);
    }
    return out;
  }

  private static byte[] bytes(KeyStateCodec codec, KeyState s) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      codec.write(s, new DataOutputStream(b));
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyState restore(KeyStateCodec codec, KeyState s) {
    try {
      return codec.read(new DataInputStream(new ByteArrayInputStream(bytes(codec, s))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireUnchanged(KeyStateCodec codec, KeyState original, byte[] before) {
    if (original != null && !Arrays.equals(bytes(codec, original), before)) {
      throw new AssertionError(
          "a change to a copied key state reached the state it was copied from");
    }
  }
}
