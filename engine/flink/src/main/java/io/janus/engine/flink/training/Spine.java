package io.janus.engine.flink.training;

import io.janus.engine.iceberg.Warehouse;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The rows a training set is built for: entity keys, a time, and any other columns (labels), from a
 * JSON-lines or CSV file or an Iceberg table. Its columns pass through unchanged.
 */
public interface Spine extends Serializable {
  /** The spine's columns, in order, as they will appear in the training set. */
  Schema schema();

  /** The name of the time column. */
  String timeColumn();

  /** Where the rows come from, for lineage ({@code file:…} or {@code iceberg:ns.table}). */
  String origin();

  /**
   * The rows as {@code (time in epoch ms, the schema's columns…)}, Flink's internal data types.
   *
   * @param env the job's environment
   * @return the rows
   */
  DataStream<RowData> rows(StreamExecutionEnvironment env);

  /**
   * A spine read from a JSON-lines ({@code .jsonl}, {@code .json}) or CSV ({@code .csv}, with a
   * header) file. The file is read once here to learn the columns' types and to check every row's
   * time, so a bad row fails before any job starts, with its line number.
   *
   * @param file the file
   * @param timeColumn the time column's name
   * @return the spine
   */
  static Spine file(Path file, String timeColumn) {
    return SpineFile.read(file, timeColumn);
  }

  /**
   * A spine from a Parquet file, staged as the Iceberg table {@code staging} (replaced if there):
   * the file is copied into it unchanged and added with its footer's schema and metrics, as
   * Iceberg's {@code add_files} does, then read as a table.
   *
   * @param warehouse the warehouse
   * @param file the Parquet file
   * @param staging the staging table
   * @param timeColumn the time column: epoch ms (long), ISO-8601 text or a timestamp
   * @return the spine
   */
  static Spine parquet(Warehouse warehouse, Path file, TableIdentifier staging, String timeColumn) {
    return SpineParquet.stage(warehouse, file, staging, timeColumn);
  }

  /**
   * A spine read from an Iceberg table of the warehouse (its current snapshot).
   *
   * @param warehouse the warehouse
   * @param table the table
   * @param timeColumn the time column: epoch ms (long), ISO-8601 text or a timestamp
   * @return the spine
   */
  static Spine table(Warehouse warehouse, TableIdentifier table, String timeColumn) {
    return new SpineTable(warehouse, table, timeColumn);
  }

  /**
   * Every entity key of {@code group}'s feature table (its current snapshot), once each, at time
   * {@code at}: columns the entity fields, then {@code ts}.
   *
   * @param warehouse the warehouse
   * @param group the group whose keys to take
   * @param at the time of every row
   * @return the spine
   */
  static Spine keysOf(
      Warehouse warehouse,
      io.janus.engine.core.definition.FeatureGroup group,
      java.time.Instant at) {
    return new SpineKeys(warehouse, group, at);
  }

  /**
   * The same rows, described as {@code origin} in lineage (e.g. the query a staged spine came
   * from).
   *
   * @param origin the description
   * @return the spine
   */
  default Spine describedAs(String origin) {
    Spine rows = this;
    return new Spine() {
      @Override
      public Schema schema() {
        return rows.schema();
      }

      @Override
      public String timeColumn() {
        return rows.timeColumn();
      }

      @Override
      public String origin() {
        return origin;
      }

      @Override
      public DataStream<RowData> rows(StreamExecutionEnvironment env) {
        return rows.rows(env);
      }
    };
  }

  /** The spine's column names. */
  default List<String> columnNames() {
    return schema().columns().stream().map(f -> f.name()).toList();
  }
}
