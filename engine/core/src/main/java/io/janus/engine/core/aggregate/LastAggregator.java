package io.janus.engine.core.aggregate;

import io.janus.engine.core.definition.FieldType;

/** Value of the latest input by event time; ties are broken by the greater event id. */
public final class LastAggregator implements Aggregator<LastState> {
  private final FieldType type;

  /**
   * @param type type of the value, which decides whether the numeric or the string part is kept
   */
  public LastAggregator(FieldType type) {
    this.type = type;
  }

  @Override
  public LastState prepare(double num, String str, long ts, String eventId) {
    return new LastState(ts, eventId, num, str);
  }

  @Override
  public LastState update(LastState ir, double num, String str, long ts, String eventId) {
    if (ts > ir.ts || (ts == ir.ts && eventId.compareTo(ir.eventId) > 0)) {
      ir.ts = ts;
      ir.eventId = eventId;
      ir.num = num;
      ir.str = str;
    }
    return ir;
  }

  @Override
  public LastState merge(LastState into, LastState other) {
    if (other == null) return into;
    if (into == null) return copy(other);
    if (other.after(into)) {
      into.ts = other.ts;
      into.eventId = other.eventId;
      into.num = other.num;
      into.str = other.str;
    }
    return into;
  }

  @Override
  public LastState copy(LastState ir) {
    return ir == null ? null : new LastState(ir.ts, ir.eventId, ir.num, ir.str);
  }

  @Override
  public Object result(LastState ir) {
    if (ir == null) return null;
    return switch (type) {
      case STRING -> ir.str;
      case LONG, TIMESTAMP -> (long) ir.num;
      case BOOLEAN -> ir.num != 0;
      case DOUBLE -> ir.num;
    };
  }
}
