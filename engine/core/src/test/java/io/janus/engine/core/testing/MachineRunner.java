package io.janus.engine.core.testing;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;
import io.janus.engine.core.state.FeatureStateMachine;
import io.janus.engine.core.state.KeyState;
import io.janus.engine.core.state.KeyStateCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Drives {@link FeatureStateMachine} without Flink, the way the BATCH operator does. */
public final class MachineRunner {
  private MachineRunner() {}

  public static List<Reference.Row> run(FeatureGroup group, List<Event> events) {
    return run(group, events, false);
  }

  /**
   * @param checkpointEachStep when true, the key's state goes through {@link KeyStateCodec} after
   *     every input, as if the job restored from a checkpoint each time
   */
  public static List<Reference.Row> run(
      FeatureGroup group, List<Event> events, boolean checkpointEachStep) {
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
      for (Contribution c : cs) {
        m.advance(
            s, c.ts, false, (t, v) -> out.add(new Reference.Row(k.getKey(), t, Arrays.asList(v))));
        m.add(s, c);
        if (checkpointEachStep) s = codec.copy(s);
      }
      m.advance(
          s,
          Long.MAX_VALUE,
          true,
          (t, v) -> out.add(new Reference.Row(k.getKey(), t, Arrays.asList(v))));
    }
    return out;
  }
}
