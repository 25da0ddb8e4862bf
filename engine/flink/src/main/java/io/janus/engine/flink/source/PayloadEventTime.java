package io.janus.engine.flink.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.EventParser;
import java.io.IOException;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * The event time of a raw JSON payload, read with a streaming parser that stops at the event-time
 * field, so a source can assign timestamps (and watermarks per split, e.g. per Kafka partition)
 * before the payload is parsed in full. A payload without a readable event time gets {@link
 * Long#MIN_VALUE}: it moves no watermark, and parsing sends it to dead letters.
 */
public final class PayloadEventTime implements SerializableTimestampAssigner<String> {
  private static final JsonFactory JSON = new JsonFactory();

  private final String[] path;
  private final long maxFutureSkew;

  public PayloadEventTime(SourceDefinition source) {
    this.path = source.eventTime().split("\\.");
    this.maxFutureSkew = source.maxFutureSkew().toMillis();
  }

  @Override
  public long extractTimestamp(String payload, long recordTimestamp) {
    if (payload == null) return Long.MIN_VALUE;
    try (JsonParser p = JSON.createParser(payload)) {
      return p.nextToken() == JsonToken.START_OBJECT ? find(p, 0) : Long.MIN_VALUE;
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Inside an object: the event time below it, skipping every other field unread. */
  private long find(JsonParser p, int depth) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!name.equals(path[depth])) {
        p.skipChildren();
        continue;
      }
      if (depth < path.length - 1)
        return value == JsonToken.START_OBJECT ? find(p, depth + 1) : Long.MIN_VALUE;
      Long ms = EventParser.timestampOf(p, value);
      // Beyond the future skew (or out of range) parsing refuses the event: it moves no watermark.
      if (ms == null
          || ms < EventParser.MIN_TIME
          || ms > EventParser.MAX_TIME
          || ms > System.currentTimeMillis() + maxFutureSkew) return Long.MIN_VALUE;
      return ms;
    }
    return Long.MIN_VALUE;
  }
}
