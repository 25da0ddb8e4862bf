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
