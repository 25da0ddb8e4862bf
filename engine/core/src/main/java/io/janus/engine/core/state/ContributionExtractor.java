package io.janus.engine.core.state;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.expr.Expressions;
import io.janus.engine.core.plan.GroupPlan;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;

/**
 * Turns an event into its {@link Contribution} to a group: the entity key, then per input whether
 * the {@code where} filter passes and the {@code of} value. Not serializable: build one per task
 * (JEXL expressions are compiled here, once per distinct text).
 */
public final class ContributionExtractor {
  private final GroupPlan plan;
  private final int[] entityIndex;
  private final JexlExpression[] whereOf; // per input, null = every event
  private final Filter[] filters; // per distinct where
  private final int[] whereId; // per input, index into the distinct where expressions, -1 = none
  private final int whereCount;
  private final int[] ofField; // per input, source field index when 'of' is a plain field, else -1
  private final JexlExpression[] ofExpr; // per input, when 'of' is an expression
  private final EventContext context;

  public ContributionExtractor(GroupPlan plan) {
    this.plan = plan;
    SourceDefinition source = plan.group().source();
    List<String> entity = plan.group().entity();
    entityIndex = entity.stream().mapToInt(source::indexOf).toArray();
    List<GroupPlan.Input> inputs = plan.inputs();
    whereOf = new JexlExpression[inputs.size()];
    whereId = new int[inputs.size()];
    ofField = new int[inputs.size()];
    ofExpr = new JexlExpression[inputs.size()];
    Map<String, Integer> wheres = new LinkedHashMap<>();
    java.util.List<Filter> filterList = new java.util.ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      GroupPlan.Input in = inputs.get(i);
      whereId[i] = -1;
      if (in.where() != null) {
        whereId[i] = wheres.computeIfAbsent(in.where(), w -> wheres.size());
        whereOf[i] = Expressions.compile(in.where());
        if (whereId[i] == filterList.size()) {
          filterList.add(
              new Filter(
                  whereOf[i],
                  Expressions.variables(in.where()).stream().mapToInt(source::indexOf).toArray()));
        }
      }
      ofField[i] = -1;
      if (in.of() != null) {
        if (Expressions.isFieldReference(in.of())) {
          ofField[i] = source.indexOf(in.of());
        } else {
          ofExpr[i] = Expressions.compile(in.of());
        }
      }
    }
    whereCount = wheres.size();
    filters = filterList.toArray(new Filter[0]);
    context = new EventContext(source);
  }

  /**
   * The event's contribution, or null when an entity key value is missing (the event is not about
   * any entity of this group).
   */
  public Contribution extract(Event e) {
    String key = key(e);
    if (key == null) {
      return null;
    }
    context.event = e;
    List<GroupPlan.Input> inputs = plan.inputs();
    int n = inputs.size();
    // Evaluate each distinct filter once per event.
    byte[] whereResult = new byte[whereCount]; // 0 = not evaluated, 1 = true, 2 = false
    long mask = 0;
    double[] num = null;
    String[] str = null;
    for (int i = 0; i < n; i++) {
      int w = whereId[i];
      if (w >= 0) {
        if (whereResult[w] == 0) {
          try {
            whereResult[w] = filters[w].test(e, context) ? (byte) 1 : (byte) 2;
          } catch (JexlException | Expressions.EvaluationError ex) {
            throw failure(e, "where", inputs.get(i).where(), reason(ex));
          }
        }
        if (whereResult[w] != 1) {
          continue;
        }
      }
      GroupPlan.Input in = inputs.get(i);
      Object value = null;
      if (ofField[i] >= 0) {
        value = e.values[ofField[i]];
      } else if (ofExpr[i] != null) {
        try {
          value = ofExpr[i].evaluate(context);
        } catch (JexlException | ArithmeticException | Expressions.EvaluationError ex) {
          throw failure(e, "of", in.of(), reason(ex));
        }
      }
      if (in.of() != null && value == null) {
        continue; // aggregations skip null values
      }
      switch (in.slot()) {
        case NUM -> {
          double d = toDouble(value);
          if (Double.isNaN(d)) continue;
          if (Double.isInfinite(d))
            throw failure(e, "of", in.of(), "the value " + value + " is not a finite number");
          if (num == null) num = new double[n];
          num[i] = d;
        }
        case STR -> {
          if (str == null) str = new String[n];
          str[i] = String.valueOf(value);
        }
        case NONE -> {}
      }
      mask |= 1L << i;
    }
    return new Contribution(key, e.ts, e.id, mask, num, str);
  }

  /**
   * An event compute cannot take: an expression failed on it at run time, or gave a non-finite
   * number. The message names the group, the expression and the event; callers send the event to
   * dead letters (ingest and stream check events this way before they are stored or computed).
   */
  public static final class EventRejected extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    EventRejected(String message) {
      super(message);
    }
  }

  /** The innermost message: JEXL wraps the arithmetic's reason in its own. */
  private static String reason(RuntimeException ex) {
    Throwable t = ex;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private EventRejected failure(Event e, String clause, String expression, String reason) {
    return new EventRejected(
        "group "
            + plan.group().name()
            + ": "
            + clause
            + " '"
            + expression
            + "' fails on event "
            + e.id
            + ": "
            + (reason == null ? "error" : reason.replaceAll("\\s+", " ")));
  }

  /**
   * A contribution of nothing at the event's time, for a key marker; null when a key value is
   * missing.
   */
  public Contribution marker(Event e) {
    String key = key(e);
    return key == null ? null : new Contribution(key, e.ts, "", 0L, null, null);
  }

  private String key(Event e) {
    if (entityIndex.length == 1) {
      Object v = e.values[entityIndex[0]];
      return v == null ? null : v.toString();
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < entityIndex.length; k++) {
      Object v = e.values[entityIndex[k]];
      if (v == null) return null;
      if (k > 0) sb.append(GroupPlan.KEY_SEPARATOR);
      sb.append(v);
    }
    return sb.toString();
  }

  private static double toDouble(Object v) {
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof Boolean b) return b ? 1 : 0;
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException ex) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /**
   * A compiled filter with a memo of its results by the values of the fields it reads. Expressions
   * cannot have side effects or call methods, so equal inputs give equal results; filters over a
   * few distinct values (event types, countries) then cost a hash lookup instead of a JEXL
   * interpreter. The memo stops growing at {@link #MEMO_LIMIT} entries, so high-cardinality filters
   * just evaluate.
   */
  private static final class Filter {
    static final int MEMO_LIMIT = 4096;
    private final JexlExpression expression;
    private final int[] fields;
    private final Map<Object, Boolean> memo = new HashMap<>();

    Filter(JexlExpression expression, int[] fields) {
      this.expression = expression;
      this.fields = fields;
    }

    boolean test(Event e, EventContext context) {
      Object key;
      if (fields.length == 1) {
        key = e.values[fields[0]];
        if (key == null) key = NULL;
      } else {
        Object[] k = new Object[fields.length];
        for (int i = 0; i < k.length; i++) k[i] = e.values[fields[i]];
        key = java.util.Arrays.asList(k);
      }
      Boolean r = memo.get(key);
      if (r == null) {
        r = Boolean.TRUE.equals(expression.evaluate(context));
        if (memo.size() < MEMO_LIMIT) memo.put(key, r);
      }
      return r;
    }

    private static final Object NULL = new Object();
  }

  /** JEXL variables resolved against the current event by field name (dotted names included). */
  private static final class EventContext implements JexlContext {
    private final Map<String, Integer> index = new HashMap<>();
    Event event;

    EventContext(SourceDefinition source) {
      for (int i = 0; i < source.fields().size(); i++) {
        index.put(source.fields().get(i).name(), i);
      }
    }

    @Override
    public Object get(String name) {
      Integer i = index.get(name);
      return i == null ? null : event.values[i];
    }

    @Override
    public void set(String name, Object value) {
      throw new UnsupportedOperationException("expressions cannot assign variables");
    }

    @Override
    public boolean has(String name) {
      return index.containsKey(name);
    }
  }
}
