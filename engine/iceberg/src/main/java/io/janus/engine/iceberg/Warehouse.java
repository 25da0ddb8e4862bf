package io.janus.engine.iceberg;

import io.janus.engine.iceberg.internal.EmbeddedCatalog;
import io.janus.engine.iceberg.internal.JanusJdbcCatalog;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;

/**
 * The Iceberg catalog Janus reads and writes, reachable from the client and from every Flink task
 * (it holds a serializable {@link CatalogLoader}). Embedded default: a JDBC catalog on a SQLite
 * file in a local warehouse directory; clusters use a REST or JDBC catalog, or a custom one,
 * through the same loader.
 */
public final class Warehouse implements Serializable {
  /** Catalog name used inside Janus. */
  public static final String CATALOG_NAME = "janus";

  /**
   * Table properties every Janus table is created with: v2, and old metadata files cleaned up on
   * commit.
   */
  public static final Map<String, String> TABLE_PROPERTIES =
      Map.of(
          "format-version", "2",
          "write.metadata.delete-after-commit.enabled", "true",
          "write.metadata.previous-versions-max", "50");

  /** URI schemes of object stores, where a Hadoop catalog's rename-based commit is unsafe. */
  private static final Set<String> OBJECT_STORES =
      Set.of("s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "wasb", "wasbs", "oss", "cos");

  private final CatalogLoader loader;
  private transient Catalog catalog;

  private Warehouse(CatalogLoader loader) {
    this.loader = loader;
  }

  /**
   * The embedded catalog of a local warehouse directory: Iceberg's JDBC catalog on a SQLite file in
   * it, safe for several processes committing to one table at once. Creates it on first use and
   * moves the tables of a Hadoop catalog written there by an earlier Janus over to it.
   *
   * @param dir the warehouse directory
   * @return the warehouse
   */
  public static Warehouse local(Path dir) {
    EmbeddedCatalog.prepare(dir);
    return of(localProperties(dir));
  }

  /**
   * The catalog properties of {@link #local}, for JVMs that open the same catalog without Janus
   * (Spark's maintenance runs): they need Iceberg and the SQLite JDBC driver.
   *
   * @param dir the warehouse directory
   * @return Iceberg catalog properties
   */
  public static Map<String, String> localProperties(Path dir) {
    return EmbeddedCatalog.properties(dir);
  }

  /** The warehouse URI of a local directory, as the embedded catalog spells it. */
  public static String localUri(Path dir) {
    return dir.toAbsolutePath().toUri().toString();
  }

  /**
   * A catalog from properties in Iceberg's own vocabulary: {@code type} (rest, jdbc, hadoop) or
   * {@code catalog-impl} (a catalog class with its jars on the classpath), plus {@code uri}, {@code
   * warehouse}, credentials and so on. A Hadoop catalog on object storage is refused: its commits
   * rely on an atomic rename, which object stores lack.
   *
   * @param properties Iceberg catalog properties
   * @return the warehouse
   */
  public static Warehouse of(Map<String, String> properties) {
    Map<String, String> props = new HashMap<>(properties);
    String type =
        props.getOrDefault("type", props.containsKey("catalog-impl") ? "custom" : "hadoop");
    CatalogLoader l =
        switch (type) {
          case "hadoop" -> {
            refuseObjectStore(props.get("warehouse"));
            yield CatalogLoader.hadoop(CATALOG_NAME, new Configuration(), props);
          }
          case "rest" -> CatalogLoader.rest(CATALOG_NAME, new Configuration(), props);
          case "jdbc" -> {
            props.remove("type");
            yield CatalogLoader.custom(
                CATALOG_NAME, props, new Configuration(), JanusJdbcCatalog.class.getName());
          }
          case "custom" ->
              CatalogLoader.custom(
                  CATALOG_NAME, props, new Configuration(), props.get("catalog-impl"));
          default ->
              throw new IllegalArgumentException(
                  "unknown catalog type '"
                      + type
                      + "' (expected rest, jdbc or hadoop, or catalog-impl=<class> with its jars on the classpath)");
        };
    return new Warehouse(l);
  }

  private static void refuseObjectStore(String warehouse) {
    String scheme = warehouse == null ? "" : URI.create(warehouse).getScheme();
    if (scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "a Hadoop catalog cannot live on object storage ("
              + warehouse
              + "): its commits need an atomic rename, which "
              + scheme
              + ":// lacks, so concurrent commits get lost; use catalog type rest or jdbc");
    }
  }

  /** The catalog, loaded once per JVM side. */
  public synchronized Catalog catalog() {
    if (catalog == null) {
      catalog = loader.loadCatalog();
    }
    return catalog;
  }

  public CatalogLoader catalogLoader() {
    return loader;
  }

  /** A loader Flink sources and sinks use to open the table on the task side. */
  public TableLoader tableLoader(TableIdentifier id) {
    return TableLoader.fromCatalog(loader, id);
  }

  public boolean exists(TableIdentifier id) {
    return catalog().tableExists(id);
  }

  public Table load(TableIdentifier id) {
    return catalog().loadTable(id);
  }

  /** Loads the table, creating it (and its namespace) with the given layout when absent. */
  public Table createOrLoad(TableIdentifier id, Schema schema, PartitionSpec spec) {
    return createOrLoad(id, schema, spec, Map.of());
  }

  /**
   * Loads the table, creating it (and its namespace) with the given layout and {@link
   * #TABLE_PROPERTIES} plus {@code properties} when absent.
   */
  public Table createOrLoad(
      TableIdentifier id, Schema schema, PartitionSpec spec, Map<String, String> properties) {
    Catalog c = catalog();
    if (c.tableExists(id)) {
      return c.loadTable(id);
    }
    if (c instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
      try {
        ns.createNamespace(id.namespace());
      } catch (AlreadyExistsException ignored) {
        // created concurrently
      }
    }
    try {
      Map<String, String> all = new HashMap<>(TABLE_PROPERTIES);
      all.putAll(properties);
      return c.createTable(id, schema, spec, all);
    } catch (AlreadyExistsException e) {
      return c.loadTable(id);
    }
  }

  /** Namespace helper. */
  public static TableIdentifier id(String namespace, String name) {
    return TableIdentifier.of(Namespace.of(namespace), name);
  }
}
