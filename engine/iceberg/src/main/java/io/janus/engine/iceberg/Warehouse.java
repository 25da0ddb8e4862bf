package io.janus.engine.iceberg;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
 * (it holds a serializable {@link CatalogLoader}). Embedded default: a Hadoop catalog in a local
 * warehouse directory; clusters use a REST catalog or a custom one (e.g. JDBC, with its driver)
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

  private final CatalogLoader loader;
  private transient Catalog catalog;

  private Warehouse(CatalogLoader loader) {
    this.loader = loader;
  }

  /** A Hadoop catalog in a local (or any Hadoop-FS) warehouse directory. */
  public static Warehouse hadoop(String warehouseUri) {
    Map<String, String> props = new HashMap<>();
    props.put("warehouse", warehouseUri);
    return new Warehouse(CatalogLoader.hadoop(CATALOG_NAME, new Configuration(), props));
  }

  /** A Hadoop catalog in a local directory. */
  public static Warehouse local(Path dir) {
    return hadoop(localUri(dir));
  }

  /** The warehouse URI of a local directory, as the embedded catalog spells it. */
  public static String localUri(Path dir) {
    return dir.toAbsolutePath().toUri().toString();
  }

  /**
   * A catalog from properties in Iceberg's own vocabulary: {@code type} (hadoop, rest) or {@code
   * catalog-impl} (e.g. {@code org.apache.iceberg.jdbc.JdbcCatalog}), plus {@code uri}, {@code
   * warehouse}, credentials and so on.
   */
  public static Warehouse of(Map<String, String> properties) {
    Map<String, String> props = new HashMap<>(properties);
    String type =
        props.getOrDefault("type", props.containsKey("catalog-impl") ? "custom" : "hadoop");
    CatalogLoader l =
        switch (type) {
          case "hadoop" -> CatalogLoader.hadoop(CATALOG_NAME, new Configuration(), props);
          case "rest" -> CatalogLoader.rest(CATALOG_NAME, new Configuration(), props);
          case "custom" ->
              CatalogLoader.custom(
                  CATALOG_NAME, props, new Configuration(), props.get("catalog-impl"));
          default ->
              throw new IllegalArgumentException(
                  "unknown catalog type '"
                      + type
                      + "' (expected hadoop or rest, or catalog-impl=<class> with its jars on the classpath)");
        };
    return new Warehouse(l);
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
      return c.createTable(id, schema, spec, TABLE_PROPERTIES);
    } catch (AlreadyExistsException e) {
      return c.loadTable(id);
    }
  }

  /** Namespace helper. */
  public static TableIdentifier id(String namespace, String name) {
    return TableIdentifier.of(Namespace.of(namespace), name);
  }
}
