package io.janus.maintenance;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A maintenance session: one Spark session and the Iceberg catalog Janus writes to (opened from the
 * same catalog properties as the Flink side). Runs compaction, snapshot expiry and orphan removal
 * on one table at a time, in that order for {@link Action#ALL}.
 */
public final class Maintenance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

  /** What to run. */
  public enum Action {
    COMPACT,
    EXPIRE,
    ORPHANS,
    ALL;

    boolean includes(Action a) {
      return this == ALL || this == a;
    }
  }

  /**
   * Options of a run.
   *
   * @param targetFileSize target file size in bytes, null = the table's
   * @param minInputFiles fewest files worth a rewrite, null = Iceberg's default (5)
   * @param partialProgress commit compaction groups as they finish
   * @param expireOlderThan snapshots older than this may expire
   * @param retainLast snapshots every branch keeps however old
   * @param orphansOlderThan orphan files older than this are removed
   * @param snapshotProperties lineage written into the snapshots maintenance commits
   * @param dryRun report only
   */
  public record Options(
      Long targetFileSize,
      Integer minInputFiles,
      boolean partialProgress,
      Duration expireOlderThan,
      int retainLast,
      Duration orphansOlderThan,
      Map<String, String> snapshotProperties,
      boolean dryRun) {

    /** Conservative defaults: expire after 7 days keeping 1 per branch, orphans after 3 days. */
    public static Options defaults() {
      return new Options(
          null, null, false, Duration.ofDays(7), 1, Duration.ofDays(3), Map.of(), false);
    }
  }

  private final SparkSession spark;
  private final Catalog catalog;

  private Maintenance(SparkSession spark, Catalog catalog) {
    this.spark = spark;
    this.catalog = catalog;
  }

  /**
   * Starts Spark ({@code local[*]} unless a master URL is given) and opens the catalog.
   *
   * @param master Spark master URL, null for local
   * @param sparkConf extra Spark configuration
   * @param catalogProperties Iceberg catalog properties ({@code type} or {@code catalog-impl},
   *     {@code warehouse}, {@code uri}, ...)
   */
  public static Maintenance start(
      String master, Map<String, String> sparkConf, Map<String, String> catalogProperties) {
    String m = master == null ? "local[*]" : master;
    SparkSession.Builder b =
        SparkSession.builder()
            .master(m)
            .appName("janus maintenance")
            .config("spark.ui.enabled", "false")
            // Small metadata-sized jobs: Spark's 200 shuffle partitions would be mostly empty
            // tasks.
            .config(
                "spark.sql.shuffle.partitions",
                Integer.toString(2 * Runtime.getRuntime().availableProcessors()));
    if (m.startsWith("local")) {
      b =
          b.config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1");
    }
    for (Map.Entry<String, String> e : sparkConf.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    SparkSession spark = b.getOrCreate();
    Map<String, String> props = new LinkedHashMap<>(catalogProperties);
    if (!props.containsKey("type") && !props.containsKey("catalog-impl")) {
      props.put("type", "hadoop");
    }
    Catalog catalog =
        CatalogUtil.buildIcebergCatalog("janus", props, spark.sessionState().newHadoopConf());
    return new Maintenance(spark, catalog);
  }

  /** The table, or a one-line error naming it. */
  public Table table(String identifier) {
    TableIdentifier id = TableIdentifier.parse(identifier);
    if (!catalog.tableExists(id)) {
      throw new IllegalArgumentException("table " + identifier + " does not exist in the catalog");
    }
    return catalog.loadTable(id);
  }

  public SparkSession spark() {
    return spark;
  }

  /**
   * Checks what can be checked before any table changes: the table exists, and an expiry would drop
   * no branch or tag. {@link MaintenanceMain} runs it for every table before the first step of the
   * first.
   */
  public void preflight(Action action, String identifier, Options o) {
    Table table = table(identifier);
    if (action.includes(Action.EXPIRE)) {
      expiry(table, o).checkRefs();
    }
  }

  /** The expiry the options ask for, as of now; preflight and the run check and do the same one. */
  private SnapshotExpiry expiry(Table table, Options o) {
    return SnapshotExpiry.of(
            spark, table, System.currentTimeMillis() - o.expireOlderThan().toMillis())
        .retainLast(o.retainLast());
  }

  /** Runs {@code action} on one table; {@code sortBy} (may be empty) orders compacted rows. */
  public TableReport run(Action action, String identifier, List<String> sortBy, Options o) {
    long t0 = System.currentTimeMillis();
    Table table = table(identifier);
    CompactionResult compact = null;
    ExpiryResult expire = null;
    OrphanResult orphans = null;
    if (action.includes(Action.COMPACT)) {
      LOG.info("{}: compacting{}", identifier, o.dryRun() ? " (dry run)" : "");
      Compaction c =
          Compaction.of(spark, table)
              .partialProgress(o.partialProgress())
              .sortBy(sortBy)
              .snapshotProperties(o.snapshotProperties())
              .dryRun(o.dryRun());
      if (o.targetFileSize() != null) c = c.targetFileSize(o.targetFileSize());
      if (o.minInputFiles() != null) c = c.minInputFiles(o.minInputFiles());
      compact = c.execute();
    }
    if (action.includes(Action.EXPIRE)) {
      LOG.info(
          "{}: expiring snapshots older than {}{}",
          identifier,
          human(o.expireOlderThan()),
          o.dryRun() ? " (dry run)" : "");
      expire = expiry(table, o).dryRun(o.dryRun()).execute();
    }
    if (action.includes(Action.ORPHANS)) {
      LOG.info(
          "{}: removing orphan files older than {}{}",
          identifier,
          human(o.orphansOlderThan()),
          o.dryRun() ? " (dry run)" : "");
      orphans =
          OrphanRemoval.of(
                  spark, table, System.currentTimeMillis() - o.orphansOlderThan().toMillis())
              .dryRun(o.dryRun())
              .execute();
    }
    return new TableReport(identifier, compact, expire, orphans, System.currentTimeMillis() - t0);
  }

  static String human(Duration d) {
    return d.toString()
        .substring(2)
        .toLowerCase()
        .replace("d", "d ")
        .replace("h", "h ")
        .replace("m", "m ")
        .trim();
  }

  @Override
  public void close() {
    if (catalog instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing catalog", e);
      }
    }
    spark.stop();
  }
}
