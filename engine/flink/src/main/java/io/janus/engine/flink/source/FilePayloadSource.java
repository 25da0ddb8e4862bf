package io.janus.engine.flink.source;

import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** JSON lines from a file or a directory of files (bounded). */
public final class FilePayloadSource implements PayloadSource {
  private final String path;

  public FilePayloadSource(Path path) {
    this.path = path.toAbsolutePath().toString();
  }

  @Override
  public DataStream<String> payloads(StreamExecutionEnvironment env) {
    FileSource<String> src =
        FileSource.forRecordStreamFormat(
                new TextLineInputFormat(), new org.apache.flink.core.fs.Path(Path.of(path).toUri()))
            .build();
    return env.fromSource(
        src, WatermarkStrategy.noWatermarks(), "json lines " + Path.of(path).getFileName());
  }

  @Override
  public String origin() {
    return "file:" + path;
  }
}
