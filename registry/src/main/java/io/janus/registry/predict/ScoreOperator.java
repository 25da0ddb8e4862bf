package io.janus.registry.predict;

import io.janus.registry.internal.Artifacts;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.onnx.OnnxModel;
import java.util.List;
import org.apache.flink.api.common.accumulators.DoubleCounter;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Scores point-in-time rows with the model in ONNX Runtime, {@value #BATCH} rows per session run:
 * each output row is the input row, then score, predicted label, model, version, each group's
 * snapshot id, the run id and the features that were null (imputed). The model is loaded once per
 * task from the file's bytes, after checking their SHA-256 again.
 */
final class ScoreOperator extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {
  static final int BATCH = 512;
  static final String SCORED = "janus-predictions-scored";
  static final String SCORE_SUM = "janus-predictions-score-sum";

  private final byte[] onnx;
  private final String sha256;
  private final String model;
  private final String version;
  private final RowType inType;
  private final int[] inputColumns;
  private final List<String> inputNames;
  private final long[] snapshots;
  private final String runId;

  private transient OnnxModel scorer;
  private transient RowData.FieldGetter[] copy;
  private transient RowData[] pending;
  private transient double[][] vectors;
  private transient int size;
  private transient LongCounter scored;
  private transient DoubleCounter scoreSum;

  ScoreOperator(
      byte[] onnx,
      String sha256,
      String model,
      String version,
      RowType inType,
      int[] inputColumns,
      List<String> inputNames,
      long[] snapshots,
      String runId) {
    this.onnx = onnx;
    this.sha256 = sha256;
    this.model = model;
    this.version = version;
    this.inType = inType;
    this.inputColumns = inputColumns;
    this.inputNames = inputNames;
    this.snapshots = snapshots;
    this.runId = runId;
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (!Artifacts.sha256(onnx).equals(sha256)) {
      throw new IllegalStateException("model " + model + "@" + version + ": artifact hash changed");
    }
    scorer = OnnxModel.load(onnx, model + "@" + version);
    copy = new RowData.FieldGetter[inType.getFieldCount()];
    for (int i = 0; i < copy.length; i++)
      copy[i] = RowData.createFieldGetter(inType.getTypeAt(i), i);
    pending = new RowData[BATCH];
    vectors = new double[BATCH][inputColumns.length];
    scored = new LongCounter();
    getRuntimeContext().addAccumulator(SCORED, scored);
    scoreSum = new DoubleCounter();
    getRuntimeContext().addAccumulator(SCORE_SUM, scoreSum);
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    // Kept until the batch is scored: without object reuse (Janus never enables it) Flink hands
    // every operator its own record, so no copy is needed here.
    RowData row = element.getValue();
    double[] v = vectors[size];
    for (int c = 0; c < inputColumns.length; c++)
      v[c] = ModelSignature.value(copy[inputColumns[c]].getFieldOrNull(row));
    pending[size++] = row;
    if (size == BATCH) flush();
  }

  @Override
  public void endInput() {
    flush();
  }

  private void flush() {
    if (size == 0) return;
    double[] scores = scorer.score(vectors, size);
    String positive = scorer.signature().positive();
    String negative =
        scorer.signature().labels().stream()
            .filter(l -> !l.equals(positive))
            .findFirst()
            .orElse("");
    int w = copy.length;
    for (int r = 0; r < size; r++) {
      GenericRowData out = new GenericRowData(w + 6 + snapshots.length);
      RowData in = pending[r];
      for (int i = 0; i < w; i++) out.setField(i, copy[i].getFieldOrNull(in));
      out.setField(w, scores[r]);
      scoreSum.add(scores[r]);
      out.setField(w + 1, StringData.fromString(scores[r] >= 0.5 ? positive : negative));
      out.setField(w + 2, StringData.fromString(model));
      out.setField(w + 3, StringData.fromString(version));
      for (int s = 0; s < snapshots.length; s++) out.setField(w + 4 + s, snapshots[s]);
      out.setField(w + 4 + snapshots.length, StringData.fromString(runId));
      StringBuilder imputed = new StringBuilder();
      for (int c = 0; c < inputColumns.length; c++) {
        if (Double.isNaN(vectors[r][c])) {
          if (imputed.length() > 0) imputed.append(',');
          imputed.append(inputNames.get(c));
        }
      }
      out.setField(
          w + 5 + snapshots.length,
          imputed.length() == 0 ? null : StringData.fromString(imputed.toString()));
      output.collect(new StreamRecord<>(out));
      pending[r] = null;
    }
    scored.add(size);
    size = 0;
  }

  @Override
  public void close() throws Exception {
    if (scorer != null) scorer.close();
    super.close();
  }
}
