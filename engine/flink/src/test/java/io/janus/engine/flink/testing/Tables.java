package io.janus.engine.flink.testing;

import io.janus.engine.iceberg.Warehouse;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Row counts of tables, read back for assertions. */
public final class Tables {
  private Tables() {}

  public static long count(Warehouse w, TableIdentifier id) throws Exception {
    long n = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(w.load(id)).build()) {
      for (Record ignored : it) n++;
    }
    return n;
  }
}
