package io.janus.engine.core.definition;

import java.util.List;
import java.util.Map;

/** The raw YAML shapes, bound by Jackson before validation turns them into the typed model. */
final class DefinitionSpecs {
  private DefinitionSpecs() {}

  record GroupSpec(
      String kind,
      String name,
      Integer version,
      List<String> entity,
      String source,
      String hop,
      String ttl,
      List<FeatureSpec> features,
      AuditSpec audit,
      String description) {}

  record FeatureSpec(
      String name,
      String agg,
      String of,
      String where,
      String window,
      String num,
      String den,
      String description) {}

  record AuditSpec(
      Long minRows,
      Long maxRows,
      Long minRowsPerDay,
      Map<String, Double> maxNullRate,
      Map<String, List<Double>> ranges,
      Map<String, Double> maxDrift,
      String driftAction) {}

  record SourceSpec(
      String kind,
      String name,
      String eventTime,
      String eventId,
      Map<String, Object> fields,
      List<String> required,
      String description,
      Long maxPayloadBytes,
      String maxFutureSkew) {}
}
