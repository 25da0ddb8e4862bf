package io.janus.engine.core.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.janus.engine.core.aggregate.Aggregation;
import io.janus.engine.core.aggregate.Aggregations;
import io.janus.engine.core.definition.DefinitionSpecs.AuditSpec;
import io.janus.engine.core.definition.DefinitionSpecs.FeatureSpec;
import io.janus.engine.core.definition.DefinitionSpecs.GroupSpec;
import io.janus.engine.core.definition.DefinitionSpecs.SourceSpec;
import io.janus.engine.core.expr.Expressions;
import io.janus.engine.core.schema.FieldType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads feature groups and sources from YAML and validates them into the typed model.
 *
 * <p>Shipped definitions are listed in classpath resources {@code janus/definitions/index.txt} (one
 * path per line, relative to {@code janus/definitions/}). A definitions directory adds to or
 * overrides them by name. A YAML document with {@code kind: source} is a source; any other is a
 * group.
 */
public final class DefinitionLoader {
  /** Classpath folder of shipped definitions. */
  public static final String RESOURCE_ROOT = "janus/definitions/";

  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
  private static final Set<String> RESERVED = Set.of("valid_from", "ds", "_valid_from", "_version");
  private static final int MAX_INPUTS = 64;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true);

  private DefinitionLoader() {}

  /** The shipped definitions only. */
  public static Definitions shipped() {
    return load(null);
  }

  /**
   * The shipped definitions plus every {@code *.yaml}/{@code *.yml} file of {@code dir} (which may
   * be null). Files of the directory override shipped ones with the same name.
   */
  public static Definitions load(Path dir) {
    List<Document> docs = new ArrayList<>(shippedDocuments());
    if (dir != null) {
      docs.addAll(directoryDocuments(dir));
    }
    return build(docs);
  }

  /** Parses one group from YAML text against the given sources (used by tests and tools). */
  public static FeatureGroup parseGroup(
      String yaml, String origin, Map<String, SourceDefinition> sources) {
    return validateGroup(bind(yaml, origin, GroupSpec.class), origin, sources);
  }

  /** Parses one source from YAML text. */
  public static SourceDefinition parseSource(String yaml, String origin) {
    return validateSource(bind(yaml, origin, SourceSpec.class), origin);
  }

  private record Document(String origin, String text) {}

  private static Definitions build(List<Document> docs) {
    Map<String, SourceDefinition> sources = new LinkedHashMap<>();
    List<Document> groupDocs = new ArrayList<>();
    for (Document d : docs) {
      if (isSource(d)) {
        SourceDefinition s = parseSource(d.text(), d.origin());
        sources.put(s.name(), s);
      } else {
        groupDocs.add(d);
      }
    }
    Map<String, FeatureGroup> groups = new LinkedHashMap<>();
    for (Document d : groupDocs) {
      FeatureGroup g = parseGroup(d.text(), d.origin(), sources);
      groups.put(g.name(), g);
    }
    return new Definitions(sources, groups);
  }

  private static boolean isSource(Document d) {
    try {
      JsonNode node = YAML.readTree(d.text());
      if (node == null || !node.isObject()) {
        throw new DefinitionException(d.origin(), "", "expected a YAML mapping at the top level");
      }
      return "source".equals(node.path("kind").asText(""));
    } catch (JsonProcessingException e) {
      throw new DefinitionException(
          d.origin(), location(e), "not valid YAML: " + e.getOriginalMessage());
    }
  }

  private static List<Document> shippedDocuments() {
    List<Document> out = new ArrayList<>();
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null) {
      cl = DefinitionLoader.class.getClassLoader();
    }
    try {
      Enumeration<URL> indexes = cl.getResources(RESOURCE_ROOT + "index.txt");
      while (indexes.hasMoreElements()) {
        URL index = indexes.nextElement();
        for (String line : readLines(index.openStream())) {
          String entry = line.trim();
          if (entry.isEmpty() || entry.startsWith("#")) {
            continue;
          }
          String resource = RESOURCE_ROOT + entry;
          try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
              throw new DefinitionException(
                  index.toString(), entry, "listed but not on the classpath");
            }
            out.add(
                new Document(
                    "classpath:" + resource,
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read shipped definitions", e);
    }
    return out;
  }

  private static List<Document> directoryDocuments(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DefinitionException(dir.toString(), "", "definitions directory does not exist");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> yamls =
          files
              .filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
      List<Document> out = new ArrayList<>();
      for (Path p : yamls) {
        out.add(new Document(p.toString(), Files.readString(p)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read definitions in " + dir, e);
    }
  }

  private static List<String> readLines(InputStream in) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }

  private static <T> T bind(String yaml, String origin, Class<T> type) {
    try {
      T value = YAML.readValue(yaml, type);
      if (value == null) {
        throw new DefinitionException(origin, "", "empty document");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      List<String> known =
          e.getKnownPropertyIds() == null
              ? List.of()
              : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
      throw new DefinitionException(
          origin,
          path(e),
          "unknown field '"
              + e.getPropertyName()
              + "'"
              + location(e)
              + " (known: "
              + String.join(", ", known)
              + ")");
    } catch (JsonMappingException e) {
      throw new DefinitionException(origin, path(e), e.getOriginalMessage() + location(e));
    } catch (JsonProcessingException e) {
      throw new DefinitionException(
          origin, "", "not valid YAML: " + e.getOriginalMessage() + location(e));
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        if (!sb.isEmpty()) sb.append('.');
        sb.append(r.getFieldName());
      }
    }
    // The last reference of an unknown property is the property itself; keep its parent as the
    // path.
    if (e instanceof UnrecognizedPropertyException u
        && sb.toString().endsWith(u.getPropertyName())) {
      sb.setLength(Math.max(0, sb.length() - u.getPropertyName().length()));
      if (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '.') sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }

  // ---------------------------------------------------------------- sources

  private static SourceDefinition validateSource(SourceSpec s, String origin) {
    String name = require(s.name(), origin, "name");
    checkName(name, origin, "name");
    if (s.fields() == null || s.fields().isEmpty()) {
      throw new DefinitionException(origin, "fields", "a source needs at least one field");
    }
    Set<String> required = new HashSet<>(s.required() == null ? List.of() : s.required());
    List<SourceField> fields = new ArrayList<>();
    for (Map.Entry<String, Object> e : s.fields().entrySet()) {
      String path = "fields." + e.getKey();
      if (e.getKey().startsWith(".") || e.getKey().endsWith(".") || e.getKey().contains("..")) {
        throw new DefinitionException(
            origin, path, "a nested field needs a name on both sides of each '.'");
      }
      FieldType type;
      List<String> allowed = List.of();
      try {
        if (e.getValue() instanceof String t) {
          type = FieldType.parse(t);
        } else if (e.getValue() instanceof Map<?, ?> m) {
          Object t = m.get("type");
          if (t == null) {
            throw new DefinitionException(origin, path, "missing 'type'");
          }
          type = FieldType.parse(t.toString());
          Object values = m.get("values");
          if (values instanceof List<?> l) {
            allowed = l.stream().map(Object::toString).toList();
          }
          if (Boolean.TRUE.equals(m.get("required"))) {
            required.add(e.getKey());
          }
        } else {
          throw new DefinitionException(
              origin, path, "expected a type name or {type: ..., values: [...]}");
        }
      } catch (IllegalArgumentException ex) {
        throw new DefinitionException(origin, path, ex.getMessage());
      }
      fields.add(new SourceField(e.getKey(), type, false, allowed));
    }
    Set<String> names = fields.stream().map(SourceField::name).collect(Collectors.toSet());
    for (String r : required) {
      if (!names.contains(r)) {
        throw new DefinitionException(origin, "required", "unknown field '" + r + "'");
      }
    }
    fields.replaceAll(
        f -> new SourceField(f.name(), f.type(), required.contains(f.name()), f.allowed()));
    String eventTime = require(s.eventTime(), origin, "event_time");
    String eventId = require(s.eventId(), origin, "event_id");
    long maxPayload =
        s.maxPayloadBytes() == null
            ? SourceDefinition.DEFAULT_MAX_PAYLOAD_BYTES
            : s.maxPayloadBytes();
    if (maxPayload < 64) {
      throw new DefinitionException(
          origin, "max_payload_bytes", "must be at least 64, got " + maxPayload);
    }
    java.time.Duration skew = SourceDefinition.DEFAULT_MAX_FUTURE_SKEW;
    if (s.maxFutureSkew() != null) {
      try {
        skew = Durations.parse(s.maxFutureSkew());
      } catch (IllegalArgumentException e) {
        throw new DefinitionException(origin, "max_future_skew", e.getMessage());
      }
    }
    SourceDefinition def =
        new SourceDefinition(name, eventTime, eventId, List.copyOf(fields), maxPayload, skew);
    if (def.field(eventTime).map(f -> f.type() != FieldType.TIMESTAMP).orElse(true)) {
      throw new DefinitionException(
          origin, "event_time", "'" + eventTime + "' must be a declared timestamp field");
    }
    if (def.field(eventId).map(f -> f.type() != FieldType.STRING).orElse(true)) {
      throw new DefinitionException(
          origin, "event_id", "'" + eventId + "' must be a declared string field");
    }
    return def;
  }

  // ---------------------------------------------------------------- groups

  private static FeatureGroup validateGroup(
      GroupSpec g, String origin, Map<String, SourceDefinition> sources) {
    if (g.kind() != null && !g.kind().equals("group")) {
      throw new DefinitionException(
          origin, "kind", "unknown kind '" + g.kind() + "' (expected group or source)");
    }
    String name = require(g.name(), origin, "name");
    checkName(name, origin, "name");
    if (g.version() == null || g.version() < 1) {
      throw new DefinitionException(origin, "version", "must be a whole number >= 1");
    }
    String sourceName = require(g.source(), origin, "source");
    SourceDefinition source = sources.get(sourceName);
    if (source == null) {
      throw new DefinitionException(
          origin,
          "source",
          "unknown source '"
              + sourceName
              + "' (known: "
              + String.join(", ", sources.keySet())
              + ")");
    }
    if (g.entity() == null || g.entity().isEmpty()) {
      throw new DefinitionException(origin, "entity", "at least one entity key field is required");
    }
    for (int i = 0; i < g.entity().size(); i++) {
      String key = g.entity().get(i);
      SourceField f =
          source
              .field(key)
              .orElseThrow(
                  () ->
                      new DefinitionException(
                          origin,
                          "entity",
                          "unknown source field '" + key + "' of source '" + sourceName + "'"));
      if (f.type() != FieldType.STRING && f.type() != FieldType.LONG) {
        throw new DefinitionException(
            origin,
            "entity",
            "'"
                + key
                + "' must be a string or long field, not "
                + f.type().name().toLowerCase(Locale.ROOT));
      }
    }
    if (new HashSet<>(g.entity()).size() != g.entity().size()) {
      throw new DefinitionException(origin, "entity", "duplicate entity key");
    }
    Duration hop = duration(g.hop(), origin, "hop");
    Duration ttl = duration(g.ttl(), origin, "ttl");
    if (g.features() == null || g.features().isEmpty()) {
      throw new DefinitionException(origin, "features", "at least one feature is required");
    }

    List<Feature> features = new ArrayList<>();
    Set<String> seen = new HashSet<>(g.entity());
    for (int i = 0; i < g.features().size(); i++) {
      FeatureSpec f = g.features().get(i);
      String path = "features[" + i + "]";
      features.add(validateFeature(f, path, origin, source, hop, seen));
    }
    Map<String, Feature> byName =
        features.stream().collect(Collectors.toMap(Feature::name, f -> f));
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      if (f.isRatio()) {
        for (String[] ref : new String[][] {{"num", f.num()}, {"den", f.den()}}) {
          Feature target = byName.get(ref[1]);
          if (target == null) {
            throw new DefinitionException(
                origin,
                "features[" + i + "]." + ref[0],
                "ratio of unknown feature '" + ref[1] + "'");
          }
          if (target.isRatio()) {
            throw new DefinitionException(
                origin,
                "features[" + i + "]." + ref[0],
                "ratio of ratio '" + ref[1] + "' is not supported");
          }
          if (!target.agg().resultType(valueType(target, source)).isNumeric()) {
            throw new DefinitionException(
                origin, "features[" + i + "]." + ref[0], "'" + ref[1] + "' is not numeric");
          }
        }
      }
    }
    long inputs =
        features.stream()
            .filter(f -> !f.isRatio())
            .map(f -> f.agg().name() + "|" + f.of() + "|" + f.where())
            .distinct()
            .count();
    if (inputs > MAX_INPUTS) {
      throw new DefinitionException(
          origin, "features", "more than " + MAX_INPUTS + " distinct aggregations");
    }
    AuditRules audit = validateAudit(g.audit(), origin, features);
    return new FeatureGroup(
        name,
        g.version(),
        List.copyOf(g.entity()),
        source,
        hop,
        ttl,
        List.copyOf(features),
        audit,
        g.description(),
        origin);
  }

  private static Feature validateFeature(
      FeatureSpec f,
      String path,
      String origin,
      SourceDefinition source,
      Duration hop,
      Set<String> seen) {
    String name = require(f.name(), origin, path + ".name");
    checkName(name, origin, path + ".name");
    if (RESERVED.contains(name)) {
      throw new DefinitionException(origin, path + ".name", "'" + name + "' is reserved");
    }
    if (!seen.add(name)) {
      throw new DefinitionException(origin, path + ".name", "duplicate name '" + name + "'");
    }
    path = path + " (" + name + ")";
    Aggregation agg;
    try {
      agg = Aggregations.named(require(f.agg(), origin, path + ".agg"));
    } catch (IllegalArgumentException e) {
      throw new DefinitionException(origin, path + ".agg", e.getMessage());
    }
    if (agg.reads() == Aggregation.Reads.FEATURES) {
      if (f.of() != null || f.where() != null || f.window() != null) {
        throw new DefinitionException(
            origin, path, "a ratio takes only num and den (no of, where or window)");
      }
      require(f.num(), origin, path + ".num");
      require(f.den(), origin, path + ".den");
      return new Feature(name, agg, null, null, null, f.num(), f.den(), f.description());
    }
    if (f.num() != null || f.den() != null) {
      throw new DefinitionException(origin, path, "num and den are only for agg: ratio");
    }
    Window window;
    String w = require(f.window(), origin, path + ".window");
    if (w.trim().equalsIgnoreCase("lifetime")) {
      window = Window.LIFETIME;
    } else {
      Duration d = duration(w, origin, path + ".window");
      if (d.toMillis() % hop.toMillis() != 0) {
        throw new DefinitionException(
            origin,
            path + ".window",
            "'" + w + "' is not a multiple of hop '" + Durations.format(hop) + "'");
      }
      window = Window.sliding(d);
    }
    Aggregation.Reads reads = agg.reads();
    if (reads != Aggregation.Reads.EVENT
        && reads != Aggregation.Reads.EVENT_OR_VALUE
        && f.of() == null) {
      throw new DefinitionException(
          origin, path + ".of", "agg " + agg.name() + " needs 'of' (a field or expression)");
    }
    if (reads == Aggregation.Reads.EVENT && f.of() != null) {
      throw new DefinitionException(
          origin, path + ".of", "agg " + agg.name() + " measures event times and takes no 'of'");
    }
    if (f.of() != null) {
      checkExpression(f.of(), origin, path + ".of", source);
      if (reads == Aggregation.Reads.NUMBER) {
        if (Expressions.isFieldReference(f.of())) {
          FieldType t = source.field(f.of().trim()).orElseThrow().type();
          if (!t.isNumeric()) {
            throw new DefinitionException(
                origin,
                path + ".of",
                "agg "
                    + agg.name()
                    + " needs a numeric field, '"
                    + f.of()
                    + "' is "
                    + t.name().toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    if (f.where() != null) {
      checkExpression(f.where(), origin, path + ".where", source);
    }
    return new Feature(
        name,
        agg,
        f.of() == null ? null : f.of().trim(),
        f.where(),
        window,
        null,
        null,
        f.description());
  }

  /**
   * The type of the value a feature reads: the field's type, or DOUBLE for an expression or none.
   */
  private static FieldType valueType(Feature f, SourceDefinition source) {
    if (f.of() == null || !Expressions.isFieldReference(f.of())) {
      return FieldType.DOUBLE;
    }
    return source.field(f.of().trim()).map(SourceField::type).orElse(FieldType.DOUBLE);
  }

  private static void checkExpression(
      String text, String origin, String path, SourceDefinition source) {
    try {
      Expressions.compile(text);
      for (String v : Expressions.variables(text)) {
        if (source.field(v).isEmpty()) {
          throw new DefinitionException(
              origin,
              path,
              "unknown source field '"
                  + v
                  + "' in '"
                  + text
                  + "' (fields of '"
                  + source.name()
                  + "': "
                  + source.fields().stream()
                      .map(SourceField::name)
                      .collect(Collectors.joining(", "))
                  + ")");
        }
      }
    } catch (IllegalArgumentException e) {
      throw new DefinitionException(origin, path, e.getMessage());
    }
  }

  private static AuditRules validateAudit(AuditSpec a, String origin, List<Feature> features) {
    if (a == null) {
      return AuditRules.NONE;
    }
    Set<String> columns = features.stream().map(Feature::name).collect(Collectors.toSet());
    if (a.minRows() != null && a.minRows() < 0) {
      throw new DefinitionException(origin, "audit.min_rows", "must be >= 0");
    }
    if (a.maxRows() != null && a.minRows() != null && a.maxRows() < a.minRows()) {
      throw new DefinitionException(origin, "audit.max_rows", "must be >= min_rows");
    }
    Map<String, Double> nulls = a.maxNullRate() == null ? Map.of() : a.maxNullRate();
    nulls.forEach(
        (c, r) -> {
          checkColumn(c, columns, origin, "audit.max_null_rate");
          if (r == null || r < 0 || r > 1) {
            throw new DefinitionException(
                origin, "audit.max_null_rate." + c, "must be between 0 and 1, got " + r);
          }
        });
    Map<String, AuditRules.Range> ranges = new LinkedHashMap<>();
    if (a.ranges() != null) {
      a.ranges()
          .forEach(
              (c, r) -> {
                checkColumn(c, columns, origin, "audit.ranges");
                if (r == null
                    || r.size() != 2
                    || r.get(0) == null
                    || r.get(1) == null
                    || r.get(0) > r.get(1)) {
                  throw new DefinitionException(
                      origin, "audit.ranges." + c, "expected [min, max] with min <= max, got " + r);
                }
                ranges.put(c, new AuditRules.Range(r.get(0), r.get(1)));
              });
    }
    Map<String, Double> drift = a.maxDrift() == null ? Map.of() : a.maxDrift();
    drift.forEach(
        (c, d) -> {
          checkColumn(c, columns, origin, "audit.max_drift");
          if (d == null || d < 0) {
            throw new DefinitionException(origin, "audit.max_drift." + c, "must be >= 0, got " + d);
          }
        });
    AuditRules.DriftAction action = AuditRules.DriftAction.FAIL;
    if (a.driftAction() != null) {
      try {
        action = AuditRules.DriftAction.valueOf(a.driftAction().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new DefinitionException(
            origin, "audit.drift_action", "expected warn or fail, got '" + a.driftAction() + "'");
      }
    }
    if (a.minRowsPerDay() != null && a.minRowsPerDay() < 0)
      throw new DefinitionException(
          origin, "audit.min_rows_per_day", "must be >= 0, got " + a.minRowsPerDay());
    return new AuditRules(
        a.minRows(),
        a.maxRows(),
        a.minRowsPerDay(),
        Map.copyOf(nulls),
        Map.copyOf(ranges),
        Map.copyOf(drift),
        action);
  }

  private static void checkColumn(String c, Set<String> columns, String origin, String path) {
    if (!columns.contains(c)) {
      throw new DefinitionException(origin, path, "unknown feature '" + c + "'");
    }
  }

  private static Duration duration(String text, String origin, String path) {
    require(text, origin, path);
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new DefinitionException(origin, path, e.getMessage());
    }
  }

  private static String require(String value, String origin, String path) {
    if (value == null || value.isBlank()) {
      throw new DefinitionException(origin, path, "is required");
    }
    return value;
  }

  private static void checkName(String name, String origin, String path) {
    if (!NAME.matcher(name).matches()) {
      throw new DefinitionException(origin, path, "'" + name + "' must match [a-z][a-z0-9_]*");
    }
  }
}
