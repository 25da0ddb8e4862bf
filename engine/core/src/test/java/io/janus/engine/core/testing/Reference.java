package io.janus.engine.core.testing;

import io.janus.engine.core.definition.Feature;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Brute-force DESIGN §4, written independently of the engine's windowing: at every candidate time
 * (event times and hop-grid expiries) recompute each value from all events, write a row when one
 * differs. Quadratic; for tests only.
 */
public final class Reference {
  /** One change row. */
  public record Row(String key, long validFrom, List<Object> values) {}

  private Reference() {}

  public static List<Row> rows(FeatureGroup group, List<Event> events) {
    GroupPlan plan = GroupPlan.of(group);
    ContributionExtractor ex = new ContributionExtractor(plan);
    long hop = group.hop().toMillis();
    Map<String, List<Event>> byKey = new TreeMap<>();
    Map<Event, Contribution> contrib = new java.util.IdentityHashMap<>();
    for (Event e : events) {
      Contribution c = ex.extract(e);
      if (c == null) continue;
      contrib.put(e, c);
      byKey.computeIfAbsent(c.key, k -> new ArrayList<>()).add(e);
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<String, List<Event>> k : byKey.entrySet()) {
      TreeSet<Long> times = new TreeSet<>();
      for (Event e : k.getValue()) {
        times.add(e.ts);
        for (Feature f : group.features()) {
          if (f.window() != null && !f.window().isLifetime()) {
            times.add(ceil(e.ts + f.window().millis(), hop));
          }
        }
      }
      List<Object> prev = null;
      for (long t : times) {
        List<Object> values = values(group, plan, k.getValue(), contrib, t, hop);
        if (prev == null || !values.equals(prev)) {
          out.add(new Row(k.getKey(), t, values));
        }
        prev = values;
      }
    }
    return out;
  }

  static long ceil(long t, long hop) {
    return Math.floorDiv(t + hop - 1, hop) * hop;
  }

  private static List<Object> values(
      FeatureGroup g,
      GroupPlan plan,
      List<Event> events,
      Map<Event, Contribution> contrib,
      long t,
      long hop) {
    List<Object> vals = new ArrayList<>();
    List<String> names = g.features().stream().map(Feature::name).toList();
    for (Feature f : g.features()) {
      if (f.isRatio()) {
        vals.add(null);
        continue;
      }
      int input = inputIndex(plan, f);
      List<Contribution> in = new ArrayList<>();
      for (Event e : events) {
        boolean inWindow =
            e.ts <= t && (f.window().isLifetime() || t < ceil(e.ts + f.window().millis(), hop));
        Contribution c = contrib.get(e);
        if (inWindow && c.has(input)) in.add(c);
      }
      vals.add(aggregate(f.agg().name(), in, input, plan.inputs().get(input).valueType()));
    }
    for (int i = 0; i < g.features().size(); i++) {
      Feature f = g.features().get(i);
      if (f.isRatio()) {
        Object n = vals.get(names.indexOf(f.num()));
        Object d = vals.get(names.indexOf(f.den()));
        vals.set(
            i,
            n == null || d == null || ((Number) d).doubleValue() == 0
                ? null
                : ((Number) n).doubleValue() / ((Number) d).doubleValue());
      }
    }
    return vals;
  }

  private static int inputIndex(GroupPlan plan, Feature f) {
    for (int i = 0; i < plan.inputs().size(); i++) {
      GroupPlan.Input in = plan.inputs().get(i);
      if (in.agg() == f.agg()
          && Objects.equals(in.of(), f.of())
          && Objects.equals(in.where(), f.where())) return i;
    }
    throw new IllegalStateException(f.name());
  }

  private static Object aggregate(
      String agg, List<Contribution> in, int i, io.janus.engine.core.schema.FieldType type) {
    switch (agg) {
      case "count":
        return (long) in.size();
      case "sum":
        {
          java.math.BigDecimal s = java.math.BigDecimal.ZERO;
          for (Contribution c : in) s = s.add(new java.math.BigDecimal(Double.toString(c.num[i])));
          return s.doubleValue();
        }
      case "avg":
        {
          if (in.isEmpty()) return null;
          java.math.BigDecimal s = java.math.BigDecimal.ZERO;
          for (Contribution c : in) s = s.add(new java.math.BigDecimal(Double.toString(c.num[i])));
          return s.doubleValue() / in.size();
        }
      case "min":
        return in.stream().mapToDouble(c -> c.num[i]).boxed().min(Double::compare).orElse(null);
      case "max":
        return in.stream().mapToDouble(c -> c.num[i]).boxed().max(Double::compare).orElse(null);
      case "last":
        {
          Contribution best = null;
          for (Contribution c : in) {
            if (best == null
                || c.ts > best.ts
                || (c.ts == best.ts && c.eventId.compareTo(best.eventId) > 0)) best = c;
          }
          if (best == null) return null;
          return switch (type) {
            case STRING -> best.str[i];
            case LONG, TIMESTAMP -> (long) best.num[i];
            case BOOLEAN -> best.num[i] != 0;
            case DOUBLE -> best.num[i];
          };
        }
      case "approx_count_distinct":
        {
          Set<String> s = new HashSet<>();
          for (Contribution c : in) s.add(c.str[i]);
          return (long) s.size();
        }
      case "duration":
        {
          if (in.isEmpty()) return null;
          long mn = in.stream().mapToLong(c -> c.ts).min().getAsLong();
          long mx = in.stream().mapToLong(c -> c.ts).max().getAsLong();
          return (mx - mn) / 1000.0;
        }
      default:
        throw new IllegalArgumentException(agg.toString());
    }
  }
}
