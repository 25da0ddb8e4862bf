package io.janus.engine.iceberg.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded catalog of a local warehouse directory: Iceberg's JDBC catalog on a SQLite file,
 * {@value #FILE}, beside the tables. Its commits are a compare-and-swap of the table's metadata
 * location inside a SQLite transaction, so separate processes ({@code ingest}, {@code backfill},
 * {@code stream}, {@code sync}, {@code maintain}) can commit to the same table at once; a Hadoop
 * catalog's rename of {@code vN.metadata.json} is not atomic on every file system and lost commits
 * under that load.
 *
 * <p>{@link #prepare} creates the catalog's tables and moves a directory written by an earlier
 * Janus (a Hadoop catalog) over: each table is registered at its current metadata file and its
 * {@code version-hint.text} renamed, so the Hadoop catalog no longer sees it.
 */
public final class EmbeddedCatalog {
  /** The SQLite file of the catalog, in the warehouse directory. */
  public static final String FILE = "catalog.db";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCatalog.class);
  private static final String HINT = "version-hint.text";
  private static final Set<Path> PREPARED = ConcurrentHashMap.newKeySet();

  private EmbeddedCatalog() {}

  /**
   * The Iceberg catalog properties of the embedded catalog in {@code dir}, portable to any JVM with
   * Iceberg and the SQLite driver (e.g. Spark's): {@code type=jdbc}, the SQLite URI, the warehouse.
   *
   * @param dir the warehouse directory
   * @return the properties, in Iceberg's vocabulary
   */
  public static Map<String, String> properties(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("type", "jdbc");
    p.put("uri", "jdbc:sqlite:" + d.resolve(FILE));
    p.put("warehouse", d.toUri().toString());
    p.put("jdbc.schema-version", "V1");
    // Writers of other processes wait for the database lock instead of failing with SQLITE_BUSY;
    // WAL lets readers go on while one commits.
    p.put("jdbc.busy_timeout", "60000");
    p.put("jdbc.journal_mode", "WAL");
    return p;
  }

  /**
   * Creates the catalog in {@code dir} if it is new and migrates Hadoop-catalog tables found there;
   * once per directory and JVM, under a file lock so that processes starting together do it once.
   *
   * @param dir the warehouse directory
   */
  public static void prepare(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (PREPARED.contains(d)) return;
    synchronized (PREPARED) {
      if (PREPARED.contains(d)) return;
      try {
        Files.createDirectories(d);
        try (FileChannel ch =
                FileChannel.open(
                    d.resolve(".catalog.lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = ch.lock();
            JdbcCatalog catalog = open(d)) {
          migrate(d, catalog);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the embedded catalog in " + d, e);
      }
      PREPARED.add(d);
    }
  }

  private static JdbcCatalog open(Path d) {
    Map<String, String> props = new LinkedHashMap<>(properties(d));
    props.remove("type");
    return (JdbcCatalog)
        CatalogUtil.loadCatalog(
            JanusJdbcCatalog.class.getName(), "janus", props, new Configuration());
  }

  private static void migrate(Path d, JdbcCatalog catalog) throws IOException {
    List<TableIdentifier> hadoopTables = new ArrayList<>();
    try (Stream<Path> namespaces = Files.list(d)) {
      for (Path ns : namespaces.filter(Files::isDirectory).toList()) {
        try (Stream<Path> tables = Files.list(ns)) {
          tables
              .filter(t -> Files.isRegularFile(t.resolve("metadata").resolve(HINT)))
              .forEach(
                  t ->
                      hadoopTables.add(
                          TableIdentifier.of(
                              ns.getFileName().toString(), t.getFileName().toString())));
        }
      }
    }
    if (hadoopTables.isEmpty()) return;
    try (HadoopCatalog hadoop = new HadoopCatalog(new Configuration(), d.toUri().toString())) {
      for (TableIdentifier id : hadoopTables) {
        if (!catalog.tableExists(id)) {
          String metadata =
              ((HasTableOperations) hadoop.loadTable(id))
                  .operations()
                  .current()
                  .metadataFileLocation();
          catalog.registerTable(id, metadata);
        }
        Path hint = d.resolve(id.namespace().level(0)).resolve(id.name()).resolve("metadata");
        Files.move(
            hint.resolve(HINT),
            hint.resolve(HINT + ".migrated"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    LOG.warn(
        "moved {} tables of the Hadoop catalog in {} to the embedded catalog {}: {}",
        hadoopTables.size(),
        d,
        FILE,
        hadoopTables);
  }
}
