package io.janus.engine.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/** Appends a handful of records to an unpartitioned table from the client, without a Flink job. */
public final class SmallWrites {
  private SmallWrites() {}

  public static void append(
      Table table, List<Record> records, Map<String, String> snapshotProperties) {
    AppendFiles append = table.newAppend().appendFile(dataFile(table, records));
    snapshotProperties.forEach(append::set);
    append.commit();
  }

  /**
   * Writes {@code records} to one new Parquet data file of {@code table} without committing it, for
   * callers that commit it their own way (e.g. an overwrite validated against concurrent writers).
   *
   * @param table the table
   * @param records the rows, in the table's schema
   * @return the written file
   */
  public static DataFile dataFile(Table table, List<Record> records) {
    return dataFile(table, records, null);
  }

  /**
   * Writes {@code records}, all of one partition, to one new Parquet data file of {@code table}
   * without committing it.
   *
   * @param table the (partitioned) table
   * @param records the rows, in the table's schema, all in {@code partition}
   * @param partition their partition (e.g. a {@link org.apache.iceberg.PartitionKey} filled from
   *     one of them), or null for an unpartitioned table
   * @return the written file
   */
  public static DataFile dataFile(Table table, List<Record> records, StructLike partition) {
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    EncryptedOutputFile out =
        partition == null ? files.newOutputFile() : files.newOutputFile(table.spec(), partition);
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    DataWriter<Record> writer = factory.newDataWriter(out, FileFormat.PARQUET, partition);
    try (writer) {
      for (Record r : records) writer.write(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }
}
