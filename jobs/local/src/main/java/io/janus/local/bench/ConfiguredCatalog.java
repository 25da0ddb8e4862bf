package io.janus.local.bench;

import io.janus.engine.iceberg.Warehouse;
import java.util.Map;
import org.apache.iceberg.catalog.TableIdentifier;

/** What the benches do on the configured catalog besides measuring: name it, clean up after. */
final class ConfiguredCatalog {
  private ConfiguredCatalog() {}

  /** The catalog's type and address, without credentials: {@code rest http://host:8181}. */
  static String describe(Map<String, String> catalog) {
    String type =
        catalog.getOrDefault("type", catalog.containsKey("catalog-impl") ? "custom" : "hadoop");
    String where = catalog.getOrDefault("uri", catalog.getOrDefault("warehouse", ""));
    // A JDBC URL may carry user and password as parameters.
    return (type + " " + where.replaceAll("[?;].*$", "")).trim();
  }

  /** Drops a bench table with its files (purge), so a shared catalog keeps none of it. */
  static void drop(Warehouse warehouse, TableIdentifier id) {
    try {
      if (warehouse.exists(id)) warehouse.catalog().dropTable(id, true);
    } catch (RuntimeException e) {
      System.err.println("warning: could not drop the bench table " + id + ": " + e.getMessage());
    }
  }
}
