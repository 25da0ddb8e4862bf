package io.janus.engine.flink.served;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.online.OnlineRowEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * Judges one row of the point-in-time join of the served log with the offline table: what was
 * served next to the offline row valid at that moment (its features and valid_from).
 */
final class JudgeServed extends RichMapFunction<RowData, ServedCheck> {
  private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};

  private final FeatureGroup group;
  private final RowType type;
  private final int servedAt;
  private final int requestId;
  private final int endpoint;
  private final int found;
  private final int servedValidFrom;
  private final int servedFeatures;
  private final int modelVersion;
  private final int[] entity;
  private final int[] offlineFeature;
  private final int offlineValidFrom;
  private final List<String> features;
  private transient ObjectMapper json;
  private transient RowData.FieldGetter[] offline;

  JudgeServed(
      FeatureGroup group,
      Schema schema,
      List<String> columns,
      List<String> featureColumns,
      List<String> features,
      String validFromColumn) {
    this.group = group;
    this.type = FlinkSchemaUtil.convert(schema);
    this.servedAt = columns.indexOf(ServedSpine.SERVED_AT);
    this.requestId = columns.indexOf(ServedSpine.REQUEST_ID);
    this.endpoint = columns.indexOf(ServedSpine.ENDPOINT);
    this.found = columns.indexOf(ServedSpine.FOUND);
    this.servedValidFrom = columns.indexOf(ServedSpine.VALID_FROM);
    this.servedFeatures = columns.indexOf(ServedSpine.FEATURES);
    this.modelVersion = columns.indexOf(ServedSpine.MODEL_VERSION);
    this.entity = group.entity().stream().mapToInt(columns::indexOf).toArray();
    this.offlineFeature = featureColumns.stream().mapToInt(columns::indexOf).toArray();
    this.offlineValidFrom = columns.indexOf(validFromColumn);
    this.features = List.copyOf(features);
  }

  @Override
  public void open(OpenContext ctx) {
    json = new ObjectMapper();
    offline = new RowData.FieldGetter[offlineFeature.length];
    for (int i = 0; i < offline.length; i++)
      offline[i] = RowData.createFieldGetter(type.getTypeAt(offlineFeature[i]), offlineFeature[i]);
  }

  @Override
  public ServedCheck map(RowData row) throws Exception {
    ServedCheck c = new ServedCheck();
    c.servedAtMs = row.getTimestamp(servedAt, 6).getMillisecond();
    c.requestId = row.getString(requestId).toString();
    c.endpoint = row.isNullAt(endpoint) ? null : row.getString(endpoint).toString();
    c.modelVersion = row.isNullAt(modelVersion) ? null : row.getString(modelVersion).toString();
    List<String> key = new ArrayList<>();
    for (int e : entity) key.add(row.isNullAt(e) ? "" : row.getString(e).toString());
    c.entity = String.join("|", key);
    boolean servedSomething = row.getBoolean(found);
    if (servedSomething && !row.isNullAt(servedValidFrom))
      c.servedValidFromMs = row.getTimestamp(servedValidFrom, 6).getMillisecond();
    boolean offlineLive = !row.isNullAt(offlineValidFrom);
    if (offlineLive) c.offlineValidFromMs = row.getTimestamp(offlineValidFrom, 6).getMillisecond();

    if (!servedSomething) {
      c.status = offlineLive ? ServedCheck.Status.MISSING_ONLINE : ServedCheck.Status.MATCHED;
      return c;
    }
    if (!offlineLive) {
      c.status = ServedCheck.Status.MISSING_OFFLINE;
      return c;
    }
    Map<String, String> served =
        row.isNullAt(servedFeatures)
            ? Map.of()
            : json.readValue(row.getString(servedFeatures).toString(), MAP);
    List<String> names = new ArrayList<>();
    List<String> on = new ArrayList<>();
    List<String> off = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      String s = served.get(features.get(i));
      String o = text(offline[i].getFieldOrNull(row));
      if (!OnlineRowEncoder.sameValue(s, o)) {
        names.add(features.get(i));
        on.add(s);
        off.add(o);
      }
    }
    c.features = names.toArray(String[]::new);
    c.served = on.toArray(String[]::new);
    c.offline = off.toArray(String[]::new);
    if (c.servedValidFromMs < c.offlineValidFromMs) c.status = ServedCheck.Status.STALE;
    else if (c.servedValidFromMs > c.offlineValidFromMs)
      c.status = ServedCheck.Status.NEWER_THAN_OFFLINE;
    else c.status = names.isEmpty() ? ServedCheck.Status.MATCHED : ServedCheck.Status.MISMATCHED;
    return c;
  }

  /** A value as the server logs it: its text (null stays null). */
  private static String text(Object v) {
    if (v == null) return null;
    if (v instanceof StringData s) return s.toString();
    if (v instanceof TimestampData t) return t.toInstant().toString();
    return String.valueOf(v);
  }
}
