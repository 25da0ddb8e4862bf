package io.janus.engine.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw table's stored ids, on a real (local) Iceberg table written by several writers. */
class StoredEventIdsTest {
  static final SourceDefinition SOURCE =
      DefinitionLoader.parseSource(
          """
          kind: source
          name: clicks
          event_time: ts
          event_id: id
          required: [id, ts]
          fields:
            id: string
            ts: timestamp
          """,
          "clicks.yaml");
  static final long DAY = 86_400_000L;
  static final long D1 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  @TempDir Path dir;
  RawEvents raw = new RawEvents(SOURCE);
  Table table;

  @BeforeEach
  void createTable() {
    table = raw.createOrLoad(Warehouse.local(dir));
  }

  /** Appends events {@code ids} at {@code time}, committed by run {@code runId}. */
  void append(String runId, long time, String... ids) {
    List<Record> records = new ArrayList<>();
    for (String id : ids) {
      Record r = GenericRecord.create(table.schema());
      r.setField("id", id);
      r.setField("ts", OffsetDateTime.ofInstant(Instant.ofEpochMilli(time), ZoneOffset.UTC));
      records.add(r);
    }
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(records.get(0)));
    DataFile f = SmallWrites.dataFile(table, records, key);
    table.newAppend().appendFile(f).set(Lineage.RUN_ID, runId).commit();
  }

  StoredEventIds ids(String runId, int maxDays) {
    return new StoredEventIds(table, raw, "id", runId, id -> true, maxDays, Duration.ZERO);
  }

  @Test
  void refusesStoredAndRepeatedIdsDayByDay() {
    append("ingest", D1 + 1000, "a", "b");
    append("ingest", D1 + DAY + 1000, "c");
    StoredEventIds stored = ids("stream", 8);
    assertThat(stored.addIfAbsent("a", D1 + 5)).isFalse();
    assertThat(stored.addIfAbsent("x", D1 + 5)).isTrue();
    assertThat(stored.addIfAbsent("x", D1 + 6)).as("repeated in this run").isFalse();
    assertThat(stored.addIfAbsent("c", D1 + DAY + 7)).isFalse();
    // An id is checked against the day of its event: "c" of day 1 is another day's partition.
    assertThat(stored.addIfAbsent("c", D1 + 9)).isTrue();
    assertThat(stored.keptDays()).hasSize(2);
  }

  @Test
  void readsWhatOtherWritersCommitButNotItsOwnRun() {
    append("ingest", D1 + 1000, "a");
    StoredEventIds stored = ids("stream", 8);
    assertThat(stored.addIfAbsent("x", D1 + 5)).isTrue();
    // Another writer appends "b"; this run's own commit of "x" is not read back.
    append("other", D1 + 2000, "b");
    append("stream", D1 + 3000, "x");
    assertThat(stored.addIfAbsent("b", D1 + 5)).isFalse();
    assertThat(stored.keptDays()).isEqualTo(Map.of(D1 / DAY, 3));
  }

  @Test
  void aDayIsEvictedOnlyOnceItsAcceptedIdsHadTimeToCommit() throws Exception {
    append("ingest", D1, "a");
    StoredEventIds stored = ids("stream", 1);
    assertThat(stored.addIfAbsent("x", D1 + 5)).isTrue();
    assertThat(stored.addIfAbsent("y", D1 + DAY)).isTrue();
    // x may not be committed yet: day 1 stays, although one day is the most to keep.
    assertThat(stored.keptDays()).containsOnlyKeys(D1 / DAY, D1 / DAY + 1);
    assertThat(stored.addIfAbsent("x", D1 + 5)).isFalse();
    append("stream", D1 + 5, "x"); // the run's cold path commits x
    Thread.sleep(3_100);
    assertThat(stored.addIfAbsent("z", D1 + 2 * DAY)).isTrue(); // day 3 evicts the idle days
    assertThat(stored.keptDays()).containsOnlyKeys(D1 / DAY + 2);
    assertThat(stored.addIfAbsent("x", D1 + 5)).as("read again, with the committed x").isFalse();
    assertThat(stored.addIfAbsent("a", D1 + 5)).isFalse();
  }

  @Test
  void readsTheIdColumnWhereverTheSourceDeclaresIt() {
    SourceDefinition timeFirst =
        DefinitionLoader.parseSource(
            """
            kind: source
            name: clicks2
            event_time: ts
            event_id: id
            required: [ts, id]
            fields:
              ts: timestamp
              id: string
            """,
            "clicks2.yaml");
    raw = new RawEvents(timeFirst);
    table = raw.createOrLoad(Warehouse.local(dir));
    append("ingest", D1 + 1000, "a");
    assertThat(ids("stream", 8).addIfAbsent("a", D1 + 5)).isFalse();
  }

  @Test
  void holdsOnlyItsShareOfTheIds() {
    append("ingest", D1, "a", "bb", "ccc");
    StoredEventIds evenLength =
        new StoredEventIds(
            table, raw, "id", "stream", id -> id.length() % 2 == 0, 8, Duration.ZERO);
    assertThat(evenLength.addIfAbsent("bb", D1)).isFalse();
    assertThat(evenLength.heldIds()).isEqualTo(1);
  }
}
