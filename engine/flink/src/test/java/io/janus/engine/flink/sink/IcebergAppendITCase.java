package io.janus.engine.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.flink.testing.Flink;
import io.janus.engine.iceberg.Warehouse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case that broke {@code FlinkSink} on Flink 2: a bounded source at parallelism 2 whose writers
 * finish far apart (one subtask is held back), so one writer's files arrive after the other's.
 * Every row must be in the committed snapshot, in BATCH (backfill, ingest) and STREAMING (cold
 * path) alike, on main and on a branch.
 */
class IcebergAppendITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  static final TableIdentifier ID = Warehouse.id("test", "appended");
  static final long ROWS = 40_000;
  static final int PARTITIONS = 8;

  @TempDir Path dir;

  @Test
  void noDataFileIsLostWhenWritersFinishFarApart() throws Exception {
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.required(2, "part", Types.IntegerType.get()));
    Table table =
        warehouse.createOrLoad(
            ID, schema, PartitionSpec.builderFor(schema).identity("part").build());

    long expectedMain = 0;
    for (int run = 0; run < 3; run++) {
      append(
          warehouse,
          RuntimeExecutionMode.BATCH,
          IcebergAppend.to(warehouse.tableLoader(ID), "batch-" + run));
      expectedMain += ROWS;
      assertThat(count(warehouse, "main")).as("BATCH run %d", run).isEqualTo(expectedMain);
    }
    append(
        warehouse,
        RuntimeExecutionMode.STREAMING,
        IcebergAppend.to(warehouse.tableLoader(ID), "stream"));
    expectedMain += ROWS;
    assertThat(count(warehouse, "main"))
        .as("STREAMING with a bounded source")
        .isEqualTo(expectedMain);

    table.refresh();
    table.manageSnapshots().createBranch("audit_x", table.currentSnapshot().snapshotId()).commit();
    append(
        warehouse,
        RuntimeExecutionMode.BATCH,
        IcebergAppend.to(warehouse.tableLoader(ID), "branch")
            .withBranch("audit_x")
            .withSnapshotProperties(Map.of("janus.run-id", "x")));
    assertThat(count(warehouse, "audit_x"))
        .as("the branch got every row")
        .isEqualTo(expectedMain + ROWS);
    assertThat(count(warehouse, "main"))
        .as("main untouched by the branch write")
        .isEqualTo(expectedMain);
    table.refresh();
    Snapshot branchHead = table.snapshot(table.refs().get("audit_x").snapshotId());
    assertThat(branchHead.summary()).containsEntry("janus.run-id", "x");
  }

  private static void append(Warehouse warehouse, RuntimeExecutionMode mode, IcebergAppend sink)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.setRuntimeMode(mode);
    if (mode == RuntimeExecutionMode.STREAMING) env.enableCheckpointing(200);
    RowType type =
        RowType.of(
            new LogicalType[] {new BigIntType(false), new IntType(false)},
            new String[] {"id", "part"});
    sink.append(
        env.fromSequence(1, ROWS).map(new HeldBack()).returns(InternalTypeInfo.of(type)), "writer");
    env.execute("append " + mode);
  }

  private static long count(Warehouse warehouse, String ref) throws Exception {
    Table table = warehouse.load(ID);
    long n = 0;
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(table).useSnapshot(table.refs().get(ref).snapshotId()).build()) {
      for (Record ignored : it) n++;
    }
    return n;
  }

  /** Subtask 1 pauses every 2,000 rows, so its writer finishes well after subtask 0's. */
  static final class HeldBack extends RichMapFunction<Long, RowData> {
    private transient boolean slow;

    @Override
    public void open(OpenContext context) {
      slow = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 1;
    }

    @Override
    public RowData map(Long id) throws Exception {
      if (slow && id % 2_000 == 0) Thread.sleep(40);
      return GenericRowData.of(id, (int) (id % PARTITIONS));
    }
  }
}
