package io.janus.engine.flink.sync;

import io.janus.engine.core.progress.Progress;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.table.data.RowData;

/** Passes every row, counting it in an accumulator and logging progress. */
final class CountRows extends RichFilterFunction<RowData> {
  static final String ROWS_READ = "janus-sync-rows-read";

  private final String label;
  private transient LongCounter count;
  private transient Progress progress;

  CountRows(String label) {
    this.label = label;
  }

  @Override
  public void open(OpenContext ctx) {
    count = getRuntimeContext().getLongCounter(ROWS_READ);
    var task = getRuntimeContext().getTaskInfo();
    progress =
        new Progress(
            label
                + " (subtask "
                + (task.getIndexOfThisSubtask() + 1)
                + "/"
                + task.getNumberOfParallelSubtasks()
                + ")");
  }

  @Override
  public boolean filter(RowData row) {
    count.add(1);
    progress.tick();
    return true;
  }
}
