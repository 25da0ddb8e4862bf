package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.CliRun;
import io.janus.jobs.config.JanusConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the whole story through the command line on the production catalogs, against real
 * servers started here: ingest with dead letters, a stream with its cold path, a
 * Write-Audit-Publish backfill and a rejected one, sync, parity and a Spark compaction (its own
 * JVM, reaching the same catalog and bucket), through a JDBC catalog in PostgreSQL and through
 * Iceberg's REST catalog server, with the tables' files on an S3 API server (s3proxy) through
 * S3FileIO. Nothing is in the embedded catalog.
 */
class CatalogStoryITCase {
  @TempDir Path dir;

  static CliRun janus(String... args) {
    return CliRun.with(LocalJanus::run, args);
  }

  static JsonNode json(CliRun r) throws Exception {
    return StreamRestartITCase.json(r);
  }

  @Test
  void theWholeStoryRunsOnAJdbcCatalogInPostgresqlWithTablesOnS3() throws Exception {
    if (EmbeddedPostgres.binaries() == null) {
      // .ci/run installs PostgreSQL and sets JANUS_REQUIRE_POSTGRES: there the test must run.
      assertThat(System.getenv("JANUS_REQUIRE_POSTGRES")).as("PostgreSQL installed").isNull();
      Assumptions.abort("PostgreSQL is not installed (apt-get install postgresql)");
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir);
        S3Server s3 = S3Server.start(dir, "warehouse")) {
      Map<String, String> catalog = new LinkedHashMap<>();
      catalog.put("type", "jdbc");
      catalog.put("uri", pg.jdbcUrl());
      catalog.put("jdbc.user", EmbeddedPostgres.USER);
      catalog.put("jdbc.password", pg.password());
      catalog.put("warehouse", "s3://warehouse/jdbc");
      catalog.putAll(s3.fileIoProperties());
      Path workdir = dir.resolve("wd");
      story(config(catalog), workdir, () -> {});

      List<String> tables = new ArrayList<>();
      try (Connection c = pg.connect(EmbeddedPostgres.DATABASE);
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables")) {
        while (rs.next()) {
          tables.add(rs.getString(1) + "." + rs.getString(2));
          assertThat(rs.getString(3)).startsWith("s3://warehouse/jdbc/");
        }
      }
      assertThat(tables)
          .contains(
              "raw.clickstream", "features.user_activity", "janus.audit_log", "janus.dead_letters");
      assertOnS3(s3.bucket("warehouse").resolve("jdbc"), workdir);
    }
  }

  @Test
  void theWholeStoryRunsOnTheRestCatalogWithTablesOnS3AndOutlivesItsRestart() throws Exception {
    try (S3Server s3 = S3Server.start(dir, "warehouse")) {
      Map<String, String> backend = new LinkedHashMap<>();
      backend.put("uri", "jdbc:sqlite:" + dir.resolve("rest-catalog.db"));
      backend.put("jdbc.schema-version", "V1");
      backend.put("warehouse", "s3://warehouse/rest");
      backend.putAll(s3.fileIoProperties());
      try (RestCatalogServer rest = RestCatalogServer.start(dir, backend)) {
        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("type", "rest");
        catalog.put("uri", rest.uri());
        catalog.putAll(s3.fileIoProperties());
        Path workdir = dir.resolve("wd");
        // Drill: the catalog server goes down and comes back between the publish and the rest of
        // the story; every table and snapshot is still there (its backend is a database).
        Path config = config(catalog);
        story(config, workdir, rest::restart);
        assertOnS3(s3.bucket("warehouse").resolve("rest"), workdir);
        assertThat(rest.log()).doesNotContain(s3.fileIoProperties().get("s3.secret-access-key"));
        benchesRunOnTheConfiguredCatalogToo(config, workdir);
      }
    }
  }

  /**
   * {@code bench backfill} and {@code bench sync} with a catalog configured: the same work on the
   * embedded catalog and on the configured one, in one run, with their ratio; the bench tables are
   * gone from the configured catalog afterwards.
   */
  void benchesRunOnTheConfiguredCatalogToo(Path config, Path workdir) throws Exception {
    List<String> common = List.of("--config", config.toString(), "--workdir", workdir.toString());
    List<String> args =
        new ArrayList<>(List.of("bench", "backfill", "--events", "20000", "--json"));
    args.addAll(common);
    CliRun backfill = janus(args.toArray(String[]::new));
    assertThat(backfill.code()).as(backfill.err()).isZero();
    JsonNode b = json(backfill);
    assertThat(b.get("configured_catalog").asText()).startsWith("rest http://");
    assertThat(b.get("configured_published").asBoolean()).isTrue();
    assertThat(b.get("configured_events_per_second").asLong()).isPositive();
    assertThat(b.get("configured_vs_embedded").asDouble()).isPositive();
    // The real path (issue 18): the raw table, next to its baselines over the same range; the
    // in-memory path computes the same rows from the same events.
    assertThat(b.get("path").asText()).isEqualTo("raw-table");
    assertThat(b.get("published").asBoolean()).isTrue();
    assertThat(b.get("rows_written").asLong())
        .isPositive()
        .isEqualTo(b.get("in_memory_rows_written").asLong());
    for (String key :
        List.of(
            "events_per_second",
            "baseline_events_per_second",
            "ratio",
            "io_floor_events_per_second",
            "io_floor_ratio",
            "in_memory_events_per_second")) assertThat(b.get(key).asDouble()).as(key).isPositive();

    args = new ArrayList<>(List.of("bench", "sync", "--keys", "3000", "--json"));
    args.addAll(common);
    CliRun sync = janus(args.toArray(String[]::new));
    assertThat(sync.code()).as(sync.err()).isZero();
    JsonNode s = json(sync);
    assertThat(s.get("configured_full_keys_written").asLong()).isEqualTo(3000);
    assertThat(s.get("full_keys_written").asLong()).isEqualTo(3000);
    assertThat(s.get("configured_vs_embedded_full_keys_per_second").asDouble()).isPositive();

    Warehouse warehouse = JanusConfig.load(config, Map.of(), workdir, null).warehouse();
    assertThat(warehouse.catalog().listTables(org.apache.iceberg.catalog.Namespace.of("features")))
        .extracting(TableIdentifier::name)
        .noneMatch(n -> n.contains("_bench_"));
  }

  /** A janus.yaml with this catalog section. */
  Path config(Map<String, String> catalog) throws Exception {
    StringBuilder yaml = new StringBuilder("catalog:\n");
    catalog.forEach((k, v) -> yaml.append("  ").append(k).append(": \"").append(v).append("\"\n"));
    return Files.writeString(dir.resolve("janus.yaml"), yaml.toString());
  }

  /** The tables' files are objects of the bucket, and nothing went to a local warehouse. */
  static void assertOnS3(Path prefix, Path workdir) throws Exception {
    try (var files = Files.walk(prefix)) {
      List<String> names = files.map(Path::toString).toList();
      assertThat(names).anyMatch(n -> n.contains("features") && n.endsWith(".parquet"));
      assertThat(names).anyMatch(n -> n.contains("clickstream") && n.endsWith(".metadata.json"));
    }
    assertThat(workdir.resolve("warehouse")).doesNotExist();
  }

  /** A step of the story that may throw, e.g. a server's restart. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * The story on the catalog of {@code config}; {@code afterPublish} runs once the first backfill
   * is published.
   */
  void story(Path config, Path workdir, Step afterPublish) throws Exception {
    List<String> common = List.of("--config", config.toString(), "--workdir", workdir.toString());
    Warehouse warehouse = JanusConfig.load(config, Map.of(), workdir, null).warehouse();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);

    // Ingest, with malformed lines dead-lettered.
    Path events = dir.resolve("events.jsonl");
    generate(common, events, 20000, 2, today.minusDays(1), 3, "--malformed-rate", "0.01");
    JsonNode ingest = json(janus(args(common, "ingest", "--file", events.toString(), "--json")));
    long ingested = ingest.get("events").asLong();
    assertThat(ingest.get("malformed").asLong()).isPositive();
    assertThat(rows(warehouse, DeadLetters.ID)).isEqualTo(ingest.get("malformed").asLong());

    // A stream of today's later events, its cold path appending them to the raw table.
    Path later = dir.resolve("later.jsonl");
    generate(common, later, 5000, 1, today, 4);
    JsonNode stream =
        json(
            janus(
                args(
                    common,
                    "stream",
                    "--group",
                    "user_activity",
                    "--source",
                    "file:" + later,
                    "--json")));
    assertThat(stream.get("events").asLong()).isPositive();
    assertThat(rows(warehouse, TableIdentifier.of("raw", "clickstream")))
        .isEqualTo(ingested + stream.get("events").asLong());

    // Write-Audit-Publish over every event, then a rejected run that leaves main as it was.
    String start = today.minusDays(1).toString();
    String end = today.plusDays(2).toString();
    JsonNode b = json(backfill(common, start, end));
    assertThat(b.get("published").asBoolean()).isTrue();
    assertThat(b.get("rows_written").asLong()).isPositive();
    List<String> published = read(common);
    afterPublish.run();
    assertThat(read(common)).isEqualTo(published);
    Path defs = Files.createDirectories(dir.resolve("strict"));
    Files.writeString(
        defs.resolve("user_activity.yaml"),
        new String(
                getClass()
                    .getResourceAsStream("/janus/definitions/groups/user_activity.yaml")
                    .readAllBytes())
            .replace("user_views_5m: [0, 100000]", "user_views_5m: [0, 1]"));
    CliRun rejected = backfill(common, start, end, "--definitions", defs.toString());
    assertThat(rejected.code()).as(rejected.err()).isEqualTo(1);
    assertThat(read(common)).isEqualTo(published);

    // Sync and parity.
    JsonNode sync = json(janus(args(common, "sync", "--group", "user_activity", "--json")));
    assertThat(sync.get("rows_read").asLong()).isPositive();
    JsonNode parity = json(janus(args(common, "parity", "--group", "user_activity", "--json")));
    assertThat(parity.get("passed").asBoolean()).isTrue();
    assertThat(parity.get("matched").asLong())
        .isEqualTo(parity.get("checked").asLong())
        .isPositive();

    // Spark compacts the feature table through the same catalog; the values stay.
    CliRun compact =
        janus(
            args(
                common,
                "maintain",
                "compact",
                "--group",
                "user_activity",
                "--min-input-files",
                "2",
                "--json"));
    JsonNode compacted = json(compact).get("tables").get(0);
    assertThat(compacted.get("table").asText()).isEqualTo("features.user_activity");
    assertThat(compacted.get("compact").get("rewritten_files").asInt()).isPositive();
    assertThat(read(common)).isEqualTo(published);
    assertThat(rows(warehouse, TableIdentifier.of("features", "user_activity"))).isPositive();
  }

  /** {@code janus generate} of sample events from {@code start} up to the clock. */
  static void generate(
      List<String> common,
      Path out,
      int events,
      int days,
      LocalDate start,
      long seed,
      String... more)
      throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of(
                "generate",
                "--events",
                Integer.toString(events),
                "--days",
                Integer.toString(days),
                "--start",
                start.toString(),
                "--until",
                "now",
                "--seed",
                Long.toString(seed),
                "--out",
                out.toString()));
    a.addAll(List.of(more));
    CliRun r = janus(args(common, a.toArray(String[]::new)));
    assertThat(r.code()).as(r.err()).isZero();
  }

  /** {@code janus backfill --json} of user_activity over the range. */
  static CliRun backfill(List<String> common, String start, String end, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "backfill", "--group", "user_activity", "--start", start, "--end", end, "--json"));
    a.addAll(List.of(more));
    return janus(args(common, a.toArray(String[]::new)));
  }

  static String[] args(List<String> common, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(common);
    return all.toArray(String[]::new);
  }

  static List<String> read(List<String> common) {
    CliRun r = janus(args(common, "read", "--group", "user_activity", "--json"));
    assertThat(r.code()).as(r.err()).isZero();
    return r.out().lines().filter(l -> l.startsWith("{")).sorted().toList();
  }

  static long rows(Warehouse warehouse, TableIdentifier id) throws Exception {
    long n = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(warehouse.load(id)).build()) {
      for (Record ignored : it) n++;
    }
    return n;
  }
}
