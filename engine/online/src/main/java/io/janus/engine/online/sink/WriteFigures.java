package io.janus.engine.online.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * What one writer's guarded writes did since its last checkpoint (or in a bounded job, in all): the
 * sink hands these to the client as accumulators, so a sync can print an exact summary.
 *
 * @param landed rows written (or keys removed)
 * @param refused rows the guard refused because the store held a newer value
 * @param retractions retractions among the rows sent
 */
public record WriteFigures(long landed, long refused, long retractions) implements Serializable {
  /** The committable serializer of {@link OnlineSink}. */
  static final class Serializer implements SimpleVersionedSerializer<WriteFigures> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(WriteFigures f) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(24);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(f.landed);
        out.writeLong(f.refused);
        out.writeLong(f.retractions);
      }
      return bytes.toByteArray();
    }

    @Override
    public WriteFigures deserialize(int version, byte[] serialized) throws IOException {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        return new WriteFigures(in.readLong(), in.readLong(), in.readLong());
      }
    }
  }
}
