package io.janus.jobs.cli;

import io.janus.engine.flink.training.Spine;
import io.janus.engine.iceberg.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkCatalog;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code janus sql}: Flink SQL (Table API, BATCH) over the Iceberg catalog Janus uses, made the
 * current catalog, so {@code SELECT * FROM features.user_activity} works as written; metadata
 * tables ({@code features.`user_activity$snapshots`}) and time travel hints ({@code /*+
 * OPTIONS('snapshot-id'='…') *}{@code /}) work as in Iceberg's Flink integration.
 */
@Command(
    name = "sql",
    description = "Run Flink SQL (BATCH) against Janus's Iceberg catalog (the current catalog).")
public final class SqlCommand implements Callable<Integer> {
  /** The name of the catalog in SQL (it is also the current one). */
  public static final String CATALOG = "janus";

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL statement.")
  String query;

  @Option(names = "--json", description = "Print one JSON object per row.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StreamTableEnvironment tables = tables(common.env(), common.warehouse());
    TableResult result = tables.executeSql(query);
    if (!json) {
      result.print();
      return 0;
    }
    List<String> columns = result.getResolvedSchema().getColumnNames();
    try (CloseableIterator<Row> rows = result.collect()) {
      while (rows.hasNext()) {
        Row row = rows.next();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) m.put(columns.get(i), row.getField(i));
        System.out.println(Json.line(m));
      }
    }
    return 0;
  }

  /**
   * Runs {@code query} into the table {@code id} (replacing it) and returns it as a spine described
   * by the query, so the rows a training set was built from stay inspectable.
   *
   * @param env the environment to run the insert on
   * @param warehouse the catalog the query reads and the table is written to
   * @param id the staging table
   * @param query a Flink SQL query over the catalog
   * @param timeColumn the spine's time column among the query's columns
   * @return the spine
   */
  public static Spine stageSpine(
      StreamExecutionEnvironment env,
      Warehouse warehouse,
      TableIdentifier id,
      String query,
      String timeColumn)
      throws Exception {
    StreamTableEnvironment tables = tables(env, warehouse);
    Table rows = tables.sqlQuery(query);
    if (warehouse.exists(id)) warehouse.catalog().dropTable(id, false);
    warehouse.createOrLoad(
        id, FlinkSchemaUtil.convert(rows.getResolvedSchema()), PartitionSpec.unpartitioned());
    rows.executeInsert(id.namespace() + "." + id.name()).await();
    Spine staged = Spine.table(warehouse, id, timeColumn);
    return staged.describedAs("sql:" + query + " (staged in " + staged.origin() + ")");
  }

  /** A BATCH table environment on {@code env} whose current catalog is {@code warehouse}'s. */
  static StreamTableEnvironment tables(StreamExecutionEnvironment env, Warehouse warehouse) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    StreamTableEnvironment tables =
        StreamTableEnvironment.create(env, EnvironmentSettings.inBatchMode());
    tables.registerCatalog(
        CATALOG,
        new FlinkCatalog(
            CATALOG, "default", Namespace.empty(), warehouse.catalogLoader(), Map.of(), false, -1));
    tables.useCatalog(CATALOG);
    return tables;
  }
}
