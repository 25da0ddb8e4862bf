package io.janus.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code janus maintain} end to end: tables written by the Flink jobs (ingest, a published
 * backfill, an unpublished one leaving its audit branch), maintained by the Spark JVM the command
 * starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintainCliITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TableIdentifier RAW = TableIdentifier.of("raw", "clickstream");
  private static final TableIdentifier FEATURES =
      TableIdentifier.of(FeatureTables.NAMESPACE, "user_activity");
  @TempDir static Path dir;
  static String workdir;
  static Warehouse warehouse;
  static long taggedSnapshot;
  static List<String> taggedRows;
  static String auditBranch;
  static Path artifact;

  @BeforeAll
  static void writeTablesWithFlink() throws Exception {
    workdir = dir.resolve("wd").toString();
    warehouse = Warehouse.local(Path.of(workdir, "warehouse"));
    // The generator is not in the flink run jar's command line (bin/janus has it): use it directly.
    // Five files of other seeds (so other event ids: ingest appends an event id once); three now,
    // each its own files in the raw table, two for the last test.
    for (int seed = 1; seed <= 5; seed++) {
      ClickstreamGenerator.builder()
          .events(6000)
          .days(2)
          .seed(seed)
          .start(java.time.LocalDate.parse("2024-01-01"))
          .build()
          .writeTo(dir.resolve("events-" + seed + ".jsonl"));
    }
    for (int seed = 1; seed <= 3; seed++) {
      CliRun ingest =
          CliRun.of(
              "ingest",
              "--file",
              dir.resolve("events-" + seed + ".jsonl").toString(),
              "--workdir",
              workdir);
      assertThat(ingest.code()).as(ingest.err()).isZero();
    }
    CliRun b =
        CliRun.of(
            "backfill",
            "--group",
            "user_activity",
            "--start",
            "2024-01-01",
            "--end",
            "2024-01-02",
            "--workdir",
            workdir);
    assertThat(b.code()).as(b.err()).isZero();
    taggedSnapshot = warehouse.load(FEATURES).currentSnapshot().snapshotId();
    // A model trained on this snapshot: its registration pins it with the tag model_m_v1_0_0.
    Path spine = dir.resolve("spine.jsonl");
    Files.writeString(spine, "{\"user_id\":\"u00001\",\"ts\":\"2024-01-02T12:00:00Z\"}\n");
    CliRun ts =
        CliRun.of(
            "training-set",
            "--spine",
            spine.toString(),
            "--groups",
            "user_activity",
            "--name",
            "m_ts",
            "--workdir",
            workdir);
    assertThat(ts.code()).as(ts.err()).isZero();
    Path model = Files.write(dir.resolve("m.onnx"), new byte[] {7, 7, 7});
    CliRun reg =
        CliRun.of(
            "registry",
            "register",
            "--model",
            "m",
            "--artifact",
            model.toString(),
            "--training-set",
            "m_ts",
            "--workdir",
            workdir,
            "--json");
    assertThat(reg.code()).as(reg.err()).isZero();
    artifact =
        Path.of(java.net.URI.create(JSON.readTree(reg.out().strip()).get("artifact").asText()));
    taggedRows = read("--as-of-snapshot", Long.toString(taggedSnapshot));
    // A re-run of day 2 publishes; a second one stays on its audit branch, as a backfill in flight
    // would.
    assertThat(
            CliRun.of(
                    "backfill",
                    "--group",
                    "user_activity",
                    "--start",
                    "2024-01-02",
                    "--end",
                    "2024-01-02",
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    assertThat(
            CliRun.of(
                    "backfill",
                    "--group",
                    "user_activity",
                    "--start",
                    "2024-01-02",
                    "--end",
                    "2024-01-02",
                    "--no-publish",
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    auditBranch =
        warehouse.load(FEATURES).refs().keySet().stream()
            .filter(r -> r.startsWith("audit_"))
            .findFirst()
            .orElseThrow();
  }

  static List<String> read(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("read", "--group", "user_activity", "--workdir", workdir, "--json"));
    args.addAll(List.of(extra));
    CliRun r = CliRun.of(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return r.out().lines().filter(l -> l.startsWith("{")).sorted().toList();
  }

  static List<String> rawRows() throws Exception {
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(warehouse.load(RAW)).build()) {
      it.forEach(r -> rows.add(r.toString()));
    }
    rows.sort(null);
    return rows;
  }

  static JsonNode report(CliRun run) throws Exception {
    assertThat(run.code()).as(run.err()).isZero();
    String line =
        run.out()
            .lines()
            .filter(l -> l.startsWith("{"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(run.out() + run.err()));
    return JSON.readTree(line);
  }

  static JsonNode table(JsonNode report, TableIdentifier id) {
    for (JsonNode t : report.get("tables"))
      if (t.get("table").asText().equals(id.toString())) return t;
    throw new AssertionError(id + " not in " + report);
  }

  static Path plant(TableIdentifier id, String name, Instant modified) throws Exception {
    Table t = warehouse.load(id);
    Path p = Path.of(java.net.URI.create(t.location())).resolve("data").resolve(name);
    Files.writeString(p, "not referenced by any snapshot");
    Files.setLastModifiedTime(p, FileTime.from(modified));
    return p;
  }

  @Test
  @Order(1)
  void dryRunReportsAndChangesNothing() throws Exception {
    Path orphan = plant(RAW, "dry-orphan.parquet", Instant.now().minus(Duration.ofDays(4)));
    Map<TableIdentifier, String> metadataBefore =
        Map.of(RAW, metadata(RAW), FEATURES, metadata(FEATURES));
    JsonNode r =
        report(
            CliRun.of(
                "maintain",
                "all",
                "--all-tables",
                "--min-input-files",
                "2",
                "--expire-older-than",
                "1ms",
                "--workdir",
                workdir,
                "--dry-run",
                "--json"));
    assertThat(r.get("dry_run").asBoolean()).isTrue();
    JsonNode raw = table(r, RAW);
    assertThat(raw.get("compact").get("rewritten_files").asInt()).isPositive();
    assertThat(raw.get("expire").get("expired_snapshots").asInt()).isEqualTo(2);
    assertThat(raw.get("orphans").get("orphans").asInt()).isEqualTo(1);
    assertThat(table(r, FEATURES).get("expire").get("kept_refs").toString())
        .contains(auditBranch)
        .contains("model_m_v1_0_0")
        .contains("main");
    assertThat(metadata(RAW)).isEqualTo(metadataBefore.get(RAW));
    assertThat(metadata(FEATURES)).isEqualTo(metadataBefore.get(FEATURES));
    assertThat(orphan).exists();
    Files.delete(orphan);
  }

  private static String metadata(TableIdentifier id) {
    return ((org.apache.iceberg.HasTableOperations) warehouse.load(id))
        .operations()
        .current()
        .metadataFileLocation();
  }

  @Test
  @Order(2)
  void compactsExpiresAndRemovesOrphansKeepingRowsBranchesAndTags() throws Exception {
    List<String> rawBefore = rawRows();
    List<String> featuresBefore = read();
    int rawFiles =
        warehouse.load(RAW).currentSnapshot().allManifests(warehouse.load(RAW).io()).size();
    Path orphan = plant(RAW, "old-orphan.parquet", Instant.now().minus(Duration.ofDays(4)));
    Path registryOrphan =
        plant(ModelRegistry.table(), "old-orphan.parquet", Instant.now().minus(Duration.ofDays(4)));
    // A model artifact older than the orphan cut-off: no snapshot references it, it must stay.
    Files.setLastModifiedTime(artifact, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
    Path young = plant(RAW, "in-flight.parquet", Instant.now());

    JsonNode r =
        report(
            CliRun.of(
                "maintain",
                "all",
                "--group",
                "user_activity",
                "--table",
                "raw.clickstream",
                "--table",
                "janus.model_registry",
                "--min-input-files",
                "2",
                "--sort",
                "--expire-older-than",
                "1ms",
                "--workdir",
                workdir,
                "--json"));
    assertThat(r.get("dry_run").asBoolean()).isFalse();
    JsonNode raw = table(r, RAW);
    JsonNode compact = raw.get("compact");
    assertThat(compact.get("files_after").asInt())
        .isLessThan(compact.get("files_before").asInt())
        .isEqualTo(2);
    assertThat(rawFiles).isPositive();
    assertThat(rawRows()).as("compaction keeps every row").isEqualTo(rawBefore);
    assertThat(read()).isEqualTo(featuresBefore);
    JsonNode features = table(r, FEATURES);
    assertThat(features.get("compact").get("sorted_by").toString())
        .isEqualTo("[\"user_id\",\"valid_from\"]");

    // Lineage on the compaction's snapshot.
    Snapshot head = warehouse.load(RAW).currentSnapshot();
    assertThat(head.operation()).isEqualTo("replace");
    assertThat(head.summary())
        .containsEntry("janus.job", "maintenance")
        .containsEntry("janus.run-id", r.get("run_id").asText())
        .containsKey("janus.git-commit")
        .containsKey("janus.user");

    // Expiry: old snapshots gone, the tag and the audit branch kept, time travel to the tag still
    // reads.
    assertThat(raw.get("expire").get("snapshots_after").asInt()).isEqualTo(1);
    assertThat(raw.get("expire").get("deleted_data_files").asInt())
        .isEqualTo(compact.get("rewritten_files").asInt());
    Table ft = warehouse.load(FEATURES);
    assertThat(ft.refs()).containsKeys("main", "model_m_v1_0_0", auditBranch);
    assertThat(ft.snapshot(taggedSnapshot)).isNotNull();
    assertThat(features.get("expire").get("expired_snapshots").asInt()).isPositive();
    assertThat(read("--as-of-snapshot", Long.toString(taggedSnapshot))).isEqualTo(taggedRows);

    // Orphans: the old unreferenced file goes, the young one (a commit in flight?) stays, live
    // files stay.
    assertThat(raw.get("orphans").get("orphans").asInt()).isEqualTo(1);
    assertThat(orphan).doesNotExist();
    assertThat(young).exists();
    assertThat(registryOrphan).doesNotExist();
    assertThat(artifact).exists();
    CliRun verify = CliRun.of("registry", "verify", "m@1.0.0", "--workdir", workdir);
    assertThat(verify.code()).as(verify.err()).isZero();
    CliRun snaps =
        CliRun.of("snapshots", "--group", "user_activity", "--workdir", workdir, "--json");
    assertThat(snaps.out()).contains("\"maintenance\"");
  }

  @Test
  @Order(3)
  void badArgumentsGetOneLine() {
    CliRun action =
        CliRun.of("maintain", "shrink", "--group", "user_activity", "--workdir", workdir);
    assertThat(action.code()).isEqualTo(2);
    assertThat(action.err()).contains("unknown action 'shrink'");
    CliRun none = CliRun.of("maintain", "all", "--workdir", workdir);
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("--group G, --table NS.NAME or --all-tables");
    CliRun dur =
        CliRun.of(
            "maintain",
            "expire",
            "--group",
            "user_activity",
            "--expire-older-than",
            "7x",
            "--workdir",
            workdir);
    assertThat(dur.code()).isEqualTo(2);
    assertThat(dur.err()).contains("'7x' is not a duration");
    CliRun size =
        CliRun.of(
            "maintain",
            "compact",
            "--group",
            "user_activity",
            "--target-file-size",
            "12zb",
            "--workdir",
            workdir);
    assertThat(size.code()).isEqualTo(2);
    assertThat(size.err()).contains("'12zb' is not a size");
    CliRun table = CliRun.of("maintain", "compact", "--table", "raw.nope", "--workdir", workdir);
    assertThat(table.code()).isEqualTo(1);
    assertThat(table.err().strip())
        .isEqualTo("janus maintain: table raw.nope does not exist in the catalog");
    CliRun group = CliRun.of("maintain", "compact", "--group", "nope", "--workdir", workdir);
    assertThat(group.code()).isEqualTo(1);
    assertThat(group.err()).contains("nope").doesNotContain("Exception");
  }

  @Test
  @Order(4)
  void aTagExpiryWouldDropStopsEverythingBeforeTheFirstChange() throws Exception {
    assertThat(
            CliRun.of(
                    "ingest",
                    "--file",
                    dir.resolve("events-4.jsonl").toString(),
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    assertThat(
            CliRun.of(
                    "ingest",
                    "--file",
                    dir.resolve("events-5.jsonl").toString(),
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    Table raw = warehouse.load(RAW);
    long head = raw.currentSnapshot().snapshotId();
    raw.manageSnapshots().createTag("stale_model", head).setMaxRefAgeMs("stale_model", 1).commit();
    Thread.sleep(5);
    CliRun r =
        CliRun.of(
            "maintain",
            "all",
            "--table",
            "raw.clickstream",
            "--min-input-files",
            "2",
            "--expire-older-than",
            "1ms",
            "--workdir",
            workdir);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.err()).contains("tag 'stale_model'").contains("refusing");
    Table after = warehouse.load(RAW);
    assertThat(after.currentSnapshot().snapshotId()).as("not compacted either").isEqualTo(head);
    assertThat(after.refs()).containsKey("stale_model");
  }
}
