package io.janus.engine.flink.training;

import io.janus.engine.iceberg.Warehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.parquet.ParquetUtil;
// Iceberg's runtime jar carries Parquet relocated; its footer reader is the one Iceberg uses.
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.iceberg.shaded.org.apache.parquet.schema.MessageType;

/**
 * A Parquet spine file, staged as an Iceberg table the way Iceberg's own {@code add_files} migrates
 * Parquet: the file is copied (unchanged) into the staging table's data directory and added with
 * its footer's schema, metrics and a name mapping (files from other writers carry no field ids).
 * The spine is then read as a table, with its Parquet types (timestamps included).
 */
final class SpineParquet {
  private SpineParquet() {}

  static Spine stage(Warehouse warehouse, Path file, TableIdentifier staging, String timeColumn) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("spine " + file + ": no such file");
    }
    MessageType type;
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()),
                new Configuration()))) {
      type = r.getFooter().getFileMetaData().getSchema();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "spine " + file + ": not a readable Parquet file (" + e.getMessage() + ")", e);
    }
    Schema schema =
        ParquetSchemaUtil.convert(
            ParquetSchemaUtil.hasIds(type) ? type : ParquetSchemaUtil.addFallbackIds(type));
    if (warehouse.exists(staging)) warehouse.catalog().dropTable(staging, false);
    Table table = warehouse.createOrLoad(staging, schema, PartitionSpec.unpartitioned());
    NameMapping mapping = MappingUtil.create(table.schema());
    table
        .updateProperties()
        .set(TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(mapping))
        .commit();
    String target = table.locationProvider().newDataLocation(file.getFileName().toString());
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = table.io().newOutputFile(target).create()) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage spine " + file + " at " + target, e);
    }
    var staged = table.io().newInputFile(target);
    Metrics metrics = ParquetUtil.fileMetrics(staged, MetricsConfig.forTable(table), mapping);
    DataFile data =
        DataFiles.builder(table.spec())
            .withPath(target)
            .withFileSizeInBytes(staged.getLength())
            .withFormat(FileFormat.PARQUET)
            .withMetrics(metrics)
            .build();
    table.newAppend().appendFile(data).set("janus.spine.file", file.toString()).commit();
    return Spine.table(warehouse, staging, timeColumn)
        .describedAs(
            "file:"
                + file.toAbsolutePath()
                + " (staged in iceberg:"
                + staging
                + "@"
                + table.currentSnapshot().snapshotId()
                + ")");
  }
}
