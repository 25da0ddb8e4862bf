package io.janus.engine.iceberg.internal;

import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Iceberg's {@link JdbcCatalog} that first loads the JDBC driver its URI names with its own class
 * loader. {@code java.sql.DriverManager} finds drivers once per JVM through the class loader of its
 * first caller; on a Flink TaskManager every job has a class loader of its own, so a driver shipped
 * in the job's jar is otherwise not found ("No suitable driver") from the second job on.
 */
public class JanusJdbcCatalog extends JdbcCatalog {
  private static final Map<String, String> DRIVERS =
      Map.of("jdbc:sqlite:", "org.sqlite.JDBC", "jdbc:postgresql:", "org.postgresql.Driver");

  /** Creates the catalog; {@link #initialize} connects it. */
  public JanusJdbcCatalog() {
    super();
  }

  /** Loads the driver of {@code properties.uri}, then initializes as {@link JdbcCatalog} does. */
  @Override
  public void initialize(String name, Map<String, String> properties) {
    String uri = properties.getOrDefault("uri", "");
    DRIVERS.forEach(
        (prefix, driver) -> {
          if (uri.startsWith(prefix)) {
            try {
              // Initializing the class registers the driver with DriverManager for this loader.
              Class.forName(driver, true, JanusJdbcCatalog.class.getClassLoader());
            } catch (ClassNotFoundException e) {
              throw new IllegalArgumentException(
                  "catalog uri "
                      + prefix
                      + "… needs the JDBC driver "
                      + driver
                      + " on the classpath");
            }
          }
        });
    super.initialize(name, properties);
  }
}
