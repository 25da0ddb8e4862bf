package io.janus.engine.core.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.definition.SourceField;
import io.janus.engine.core.schema.FieldType;
import java.time.Instant;

/**
 * An event back to JSON in its source's shape (nested objects for dotted names), for dead letters.
 */
public final class EventJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventJson() {}

  public static String toJson(SourceDefinition source, Event e) {
    ObjectNode root = JSON.createObjectNode();
    for (int i = 0; i < source.fields().size(); i++) {
      SourceField f = source.fields().get(i);
      Object v = e.values[i];
      if (v == null) continue;
      String[] path = f.name().split("\\.");
      ObjectNode node = root;
      for (int p = 0; p < path.length - 1; p++) {
        node = node.has(path[p]) ? (ObjectNode) node.get(path[p]) : node.putObject(path[p]);
      }
      String leaf = path[path.length - 1];
      if (f.type() == FieldType.TIMESTAMP)
        node.put(leaf, Instant.ofEpochMilli((Long) v).toString());
      else if (v instanceof Long l) node.put(leaf, l);
      else if (v instanceof Double d) node.put(leaf, d);
      else if (v instanceof Boolean b) node.put(leaf, b);
      else node.put(leaf, v.toString());
    }
    return root.toString();
  }
}
