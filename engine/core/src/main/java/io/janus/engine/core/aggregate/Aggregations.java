package io.janus.engine.core.aggregate;

import io.janus.engine.core.aggregate.internal.ApproxDistinctAggregator;
import io.janus.engine.core.aggregate.internal.CountAggregator;
import io.janus.engine.core.aggregate.internal.DurationAggregator;
import io.janus.engine.core.aggregate.internal.ExtremumAggregator;
import io.janus.engine.core.aggregate.internal.LastAggregator;
import io.janus.engine.core.aggregate.internal.SumAggregator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of aggregations by YAML name: the built-in ones listed here, plus any {@link
 * Aggregation} registered as a {@link ServiceLoader} service by a jar on the classpath.
 */
public final class Aggregations {
  /** The built-in aggregations, in the order the reference lists them. */
  private static final List<Aggregation> BUILT_IN =
      List.of(
          new CountAggregator(),
          new SumAggregator(false),
          new SumAggregator(true),
          new ExtremumAggregator(false),
          new ExtremumAggregator(true),
          LastAggregator.AGGREGATION,
          new ApproxDistinctAggregator(),
          new DurationAggregator(),
          Ratio.INSTANCE);

  private static final Map<String, Aggregation> BY_NAME = load();

  private Aggregations() {}

  private static Map<String, Aggregation> load() {
    Map<String, Aggregation> m = new LinkedHashMap<>();
    for (Aggregation a : BUILT_IN) m.put(a.name(), a);
    for (Aggregation a :
        ServiceLoader.load(Aggregation.class, Aggregations.class.getClassLoader())) {
      Aggregation old = m.putIfAbsent(a.name(), a);
      if (old != null && old.getClass() != a.getClass()) {
        throw new IllegalStateException(
            "two aggregations named '"
                + a.name()
                + "': "
                + old.getClass().getName()
                + " and "
                + a.getClass().getName());
      }
    }
    return Map.copyOf(m);
  }

  /**
   * The aggregation called {@code name} (case and surrounding blanks ignored).
   *
   * @param name the YAML name
   * @return the aggregation
   * @throws IllegalArgumentException naming the known aggregations when there is none of that name
   */
  public static Aggregation named(String name) {
    Aggregation a = BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
    if (a == null) {
      throw new IllegalArgumentException(
          "unknown aggregation '"
              + name
              + "' (expected one of "
              + String.join(", ", names())
              + ")");
    }
    return a;
  }

  /**
   * Every registered name, built-in ones first.
   *
   * @return the names
   */
  public static List<String> names() {
    List<String> out = new java.util.ArrayList<>();
    for (Aggregation a : BUILT_IN) out.add(a.name());
    for (String n : BY_NAME.keySet()) if (!out.contains(n)) out.add(n);
    return out;
  }
}
