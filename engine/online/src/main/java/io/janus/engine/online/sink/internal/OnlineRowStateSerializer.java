package io.janus.engine.online.sink.internal;

import io.janus.engine.online.OnlineRow;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** The rows a writer still buffered at a checkpoint, in its state. */
public final class OnlineRowStateSerializer extends AsyncSinkWriterStateSerializer<OnlineRow> {
  @Override
  protected void serializeRequestToStream(OnlineRow r, DataOutputStream out) throws IOException {
    out.writeUTF(r.group());
    out.writeUTF(r.key());
    out.writeLong(r.validFrom());
    out.writeUTF(r.version());
    out.writeLong(r.expireAtMs());
    out.writeLong(r.replaceUpTo());
    if (r.values() == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(r.values().size());
    for (Map.Entry<String, String> e : r.values().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeBoolean(e.getValue() != null);
      if (e.getValue() != null) out.writeUTF(e.getValue());
    }
  }

  @Override
  protected OnlineRow deserializeRequestFromStream(long requestSize, DataInputStream in)
      throws IOException {
    String group = in.readUTF();
    String key = in.readUTF();
    long validFrom = in.readLong();
    String version = in.readUTF();
    long expireAtMs = in.readLong();
    long replaceUpTo = in.readLong();
    int n = in.readInt();
    Map<String, String> values = null;
    if (n >= 0) {
      values = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String field = in.readUTF();
        values.put(field, in.readBoolean() ? in.readUTF() : null);
      }
    }
    return new OnlineRow(group, key, validFrom, version, expireAtMs, values, replaceUpTo);
  }

  @Override
  public int getVersion() {
    return 1;
  }
}
