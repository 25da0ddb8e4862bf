package io.janus.engine.core.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.core.testing.TestGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, validation errors (file, field, problem) and fingerprints of definitions. */
class DefinitionLoaderTest {
  private static final String VALID =
      """
      name: g
      version: 2
      entity: [user]
      source: clicks
      hop: 1m
      ttl: 7d
      features:
        - {name: views_5m, agg: count, where: "kind == 'view' && amount > 10", window: 5m}
        - {name: spend, agg: sum, of: amount, window: 24h}
        - {name: r, agg: ratio, num: spend, den: views_5m}
      audit:
        min_rows: 1
        max_null_rate: {r: 0.2}
        ranges: {views_5m: [0, 100000]}
        max_drift: {views_5m: 0.25}
      """;

  private static String error(String yaml) {
    try {
      TestGroups.group(yaml);
    } catch (DefinitionException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a DefinitionException");
  }

  @Test
  void parsesTheDesignShape() {
    FeatureGroup g = TestGroups.group(VALID);
    assertThat(g.name()).isEqualTo("g");
    assertThat(g.features()).extracting(Feature::name).containsExactly("views_5m", "spend", "r");
    assertThat(g.feature("views_5m").orElseThrow().window().millis()).isEqualTo(300_000);
    assertThat(g.audit().ranges()).containsEntry("views_5m", new AuditRules.Range(0, 100000));
    assertThat(g.maxSlidingWindowMillis()).isEqualTo(86_400_000L);
  }

  @Test
  void errorsNameFileFieldAndProblem() {
    assertThat(error(VALID.replace("agg: sum", "agg: summ")))
        .startsWith("test.yaml: features[1] (spend).agg: unknown aggregation 'summ'");
    assertThat(error(VALID.replace("ttl: 7d", "ttl: 0s")))
        .isEqualTo("test.yaml: ttl: '0s' must be positive");
    assertThat(error(VALID.replace("window: 5m", "window: 90s")))
        .isEqualTo("test.yaml: features[0] (views_5m).window: '90s' is not a multiple of hop '1m'");
    assertThat(error(VALID.replace("den: views_5m", "den: nope")))
        .isEqualTo("test.yaml: features[2].den: ratio of unknown feature 'nope'");
    assertThat(error(VALID.replace("amount > 10", "amout > 10")))
        .contains("features[0] (views_5m).where: unknown source field 'amout'");
    assertThat(error(VALID.replace("of: amount", "of: item")))
        .contains("agg sum needs a numeric field, 'item' is string");
    assertThat(error(VALID.replace("name: spend", "name: views_5m")))
        .isEqualTo("test.yaml: features[1].name: duplicate name 'views_5m'");
    assertThat(error(VALID.replace("entity: [user]", "entity: [usr]")))
        .contains("entity: unknown source field 'usr'");
    assertThat(error(VALID.replace("hop: 1m", "hop: 1 minute")))
        .contains("hop: '1 minute' is not a duration");
    assertThat(error(VALID.replace("ttl: 7d", "tll: 7d")))
        .startsWith("test.yaml: unknown field 'tll'")
        .contains("known:");
    assertThat(error(VALID.replace("{r: 0.2}", "{r: 1.5}")))
        .contains("audit.max_null_rate.r: must be between 0 and 1");
    assertThat(error(VALID.replace("{views_5m: [0, 100000]}", "{nope: [0, 1]}")))
        .contains("audit.ranges: unknown feature 'nope'");
    assertThat(error(VALID.replace("kind == 'view' && amount > 10", "kind == 'view' &&")))
        .contains("invalid expression");
    assertThat(error(VALID.replace("source: clicks", "source: clickz")))
        .contains("source: unknown source 'clickz'");
    assertThat(error("name: [unclosed")).startsWith("test.yaml: ");
    assertThatThrownBy(
            () ->
                DefinitionLoader.parseSource(
                    "kind: source\nname: s\nevent_time: t\nevent_id: id\nfields:\n  id: string\n  t: timestamp\n  geo..city: string\n",
                    "s.yaml"))
        .hasMessage(
            "s.yaml: fields.geo..city: a nested field needs a name on both sides of each '.'");
  }

  @Test
  void fingerprintIgnoresFormattingButNotSemantics() {
    String reformatted =
        VALID
            .replace("{name: views_5m, agg: count,", "{agg: count, name: views_5m,")
            .replace("ttl: 7d", "ttl: 168h");
    assertThat(TestGroups.group(reformatted).fingerprint())
        .isEqualTo(TestGroups.group(VALID).fingerprint());
    assertThat(TestGroups.group(VALID.replace("window: 5m", "window: 10m")).fingerprint())
        .isNotEqualTo(TestGroups.group(VALID).fingerprint());
    assertThat(TestGroups.group(VALID).fingerprint()).hasSize(64).matches("[0-9a-f]+");
  }

  @Test
  void directoryOverridesAndAddsGroups(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("clicks.yaml"), TestGroups.SOURCE_YAML);
    Files.writeString(dir.resolve("g.yaml"), VALID);
    Definitions d = DefinitionLoader.load(dir);
    assertThat(d.groups()).containsKey("g");
    assertThat(d.sources()).containsKey("clicks");
    Files.writeString(
        dir.resolve("bad.yaml"),
        VALID.replace("name: g", "name: bad").replace("hop: 1m", "hop: -1m"));
    assertThatThrownBy(() -> DefinitionLoader.load(dir))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("bad.yaml: hop:");
  }

  @Test
  void unknownGroupNamesTheKnownOnes() {
    Definitions d =
        new Definitions(Map.of("clicks", TestGroups.SOURCE), Map.of("g", TestGroups.group(VALID)));
    assertThatThrownBy(() -> d.group("x")).hasMessage("unknown feature group 'x' (known: g)");
  }
}
