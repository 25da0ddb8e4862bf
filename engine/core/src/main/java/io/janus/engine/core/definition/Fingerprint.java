package io.janus.engine.core.definition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 of the canonical JSON of a parsed group: keys sorted, durations in milliseconds, absent
 * optional values omitted, so formatting and key order in the YAML do not change it but every
 * semantic change does.
 */
public final class Fingerprint {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Fingerprint() {}

  /** The hex SHA-256 of {@link #canonicalJson(FeatureGroup)}. */
  public static String of(FeatureGroup group) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonicalJson(group).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The canonical JSON text the fingerprint is computed from. */
  public static String canonicalJson(FeatureGroup g) {
    Map<String, Object> root = new TreeMap<>();
    root.put("name", g.name());
    root.put("version", g.version());
    root.put("entity", g.entity());
    root.put("source", source(g.source()));
    root.put("hop_ms", g.hop().toMillis());
    root.put("ttl_ms", g.ttl().toMillis());
    List<Object> features = new ArrayList<>();
    for (Feature f : g.features()) {
      Map<String, Object> m = new TreeMap<>();
      m.put("name", f.name());
      m.put("agg", f.agg().name());
      putIfPresent(m, "of", f.of());
      putIfPresent(m, "where", f.where());
      if (f.window() != null) {
        m.put("window_ms", f.window().isLifetime() ? "lifetime" : f.window().millis());
      }
      putIfPresent(m, "num", f.num());
      putIfPresent(m, "den", f.den());
      features.add(m);
    }
    root.put("features", features);
    AuditRules a = g.audit();
    Map<String, Object> audit = new TreeMap<>();
    putIfPresent(audit, "min_rows", a.minRows());
    putIfPresent(audit, "max_rows", a.maxRows());
    putIfPresent(audit, "min_rows_per_day", a.minRowsPerDay());
    audit.put("max_null_rate", new TreeMap<>(a.maxNullRate()));
    Map<String, Object> ranges = new TreeMap<>();
    a.ranges().forEach((k, v) -> ranges.put(k, List.of(v.min(), v.max())));
    audit.put("ranges", ranges);
    audit.put("max_drift", new TreeMap<>(a.maxDrift()));
    audit.put("drift_action", a.driftAction().name().toLowerCase());
    root.put("audit", audit);
    try {
      return CANONICAL.writeValueAsString(root);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> source(SourceDefinition s) {
    Map<String, Object> m = new TreeMap<>();
    m.put("name", s.name());
    m.put("event_time", s.eventTime());
    m.put("event_id", s.eventId());
    List<Object> fields = new ArrayList<>();
    for (SourceField f : s.fields()) {
      Map<String, Object> fm = new TreeMap<>();
      fm.put("name", f.name());
      fm.put("type", f.type().name().toLowerCase());
      fm.put("required", f.required());
      fm.put("allowed", f.allowed());
      fields.add(fm);
    }
    m.put("fields", fields);
    return m;
  }

  private static void putIfPresent(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
