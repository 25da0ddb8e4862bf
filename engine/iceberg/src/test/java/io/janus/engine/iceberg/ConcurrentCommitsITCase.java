package io.janus.engine.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill of issue 17: {@code ingest}, {@code backfill}, {@code stream}, {@code sync} and {@code
 * maintain} are separate processes committing to the same tables. Four JVMs commit 200 appends each
 * to one table of the embedded catalog at once: every commit a process reports as done is in the
 * table, and nothing else is.
 */
class ConcurrentCommitsITCase {
  static final int PROCESSES = 4;
  static final int COMMITS = 200;

  @TempDir Path dir;

  /** One process of the drill: {@code COMMITS} appends, one line per outcome on stdout. */
  public static void main(String[] args) throws Exception {
    Table t = Warehouse.local(Path.of(args[0])).load(EmbeddedCatalogTest.ID);
    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
      String name = "p" + args[1] + "-" + i;
      try {
        t.newAppend().appendFile(EmbeddedCatalogTest.file(name)).commit();
        System.out.println("committed " + name);
      } catch (RuntimeException e) { // CommitFailedException once its retries are spent
        System.out.println("failed " + name + " " + e.getClass().getSimpleName());
      }
    }
  }

  @Test
  void fourProcessesCommittingAtOnceLoseNothingAndAddNothing() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Warehouse.local(warehouse)
        .createOrLoad(
            EmbeddedCatalogTest.ID, EmbeddedCatalogTest.SCHEMA, PartitionSpec.unpartitioned());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int p = 0; p < PROCESSES; p++) {
      Path out = dir.resolve("p" + p + ".out");
      outputs.add(out);
      processes.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ConcurrentCommitsITCase.class.getName(),
                  warehouse.toString(),
                  Integer.toString(p),
                  Integer.toString(COMMITS))
              .redirectOutput(out.toFile())
              .redirectError(dir.resolve("p" + p + ".err").toFile())
              .start());
    }
    for (Process p : processes) {
      assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).isZero();
    }
    Set<String> committed = new HashSet<>();
    int outcomes = 0;
    for (Path out : outputs) {
      for (String line : Files.readAllLines(out)) {
        if (line.startsWith("committed ")) committed.add(line.split(" ")[1]);
        if (line.startsWith("committed ") || line.startsWith("failed ")) outcomes++;
      }
    }
    assertThat(outcomes).as("one outcome per commit").isEqualTo(PROCESSES * COMMITS);
    assertThat(committed).as("most commits go through").hasSizeGreaterThan(PROCESSES * COMMITS / 2);

    Set<String> inTable = new HashSet<>();
    Table t = Warehouse.local(warehouse).load(EmbeddedCatalogTest.ID);
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        String path = task.file().location();
        inTable.add(path.substring(path.lastIndexOf('/') + 1).replace(".parquet", ""));
      }
    }
    assertThat(inTable).isEqualTo(committed);
    System.out.printf(
        "%d processes x %d commits: %d committed, %d failed after retries, %d snapshots%n",
        PROCESSES,
        COMMITS,
        committed.size(),
        PROCESSES * COMMITS - committed.size(),
        StreamSupport.stream(t.snapshots().spliterator(), false).count());
  }
}
