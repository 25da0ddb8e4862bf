package io.janus.engine.flink.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.source.KafkaPayloadSource;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.Tables;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Streaming from a real Kafka broker (KRaft, in the test JVM) into a real Redis. */
class KafkaStreamITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  static final String TOPIC = "clicks";
  static EmbeddedKafkaBroker kafka;

  @TempDir Path dir;

  @BeforeAll
  static void startKafka() {
    kafka =
        new EmbeddedKafkaKraftBroker(1, 2, TOPIC)
            .brokerProperties(
                Map.of("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0"));
    kafka.afterPropertiesSet();
  }

  @AfterAll
  static void stopKafka() {
    kafka.destroy();
  }

  static KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /**
   * The stream job both tests run: bounded Kafka source, 10 minutes of allowed lateness, fast
   * checkpoints.
   */
  StreamJob.Result stream(
      Warehouse warehouse, String topic, String redisUri, int parallelism, long watermarkIntervalMs)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    if (watermarkIntervalMs > 0) env.getConfig().setAutoWatermarkInterval(watermarkIntervalMs);
    KafkaPayloadSource source =
        new KafkaPayloadSource(
            kafka.getBrokersAsString(),
            topic,
            "janus-" + topic,
            KafkaPayloadSource.StartOffsets.EARLIEST,
            true,
            Map.of());
    return StreamJob.of(warehouse, StreamJobITCase.G, source, RedisOnlineStore.factory(redisUri))
        .withOutOfOrderness(Duration.ofMinutes(10))
        .withCheckpointInterval(Duration.ofMillis(500))
        .withCheckpointDir(dir.resolve("checkpoints"))
        .run(env);
  }

  @Test
  void kafkaEventsStreamToTheBatchValues() throws Exception {
    long now = System.currentTimeMillis();
    List<String> lines = Files.readAllLines(StreamJobITCase.eventsFile(dir, now, 3000, 31));
    try (KafkaProducer<String, String> producer = producer()) {
      for (int i = 0; i < lines.size(); i++) {
        // Keyed by position so both partitions carry interleaved, roughly time-ordered events.
        producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i % 7), lines.get(i)));
      }
      producer.flush();
    }

    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamJob.Result r = stream(warehouse, TOPIC, redis.uri(), 2, 0);
      assertThat(r.events()).isEqualTo(3000);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      assertThat(Tables.count(warehouse, DeadLetters.ID)).isEqualTo(2);
      assertThat(StreamJobITCase.mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
    }
  }

  /**
   * One reader with two partitions, one of them hours ahead of the other (a consumer that fell
   * behind on one partition). Watermarks per partition keep the reader's watermark at the slower
   * partition's, so none of its events is late; a single watermark after the source would let the
   * partition ahead push it past them.
   */
  @Test
  void aPartitionAheadDoesNotMakeAnotherPartitionsEventsLate() throws Exception {
    String topic = "skewed";
    kafka.addTopics(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short) 1));
    long now = System.currentTimeMillis();
    List<String> lines = Files.readAllLines(StreamJobITCase.eventsFile(dir, now, 3000, 47));
    try (KafkaProducer<String, String> producer = producer()) {
      // The later half of the 5 hours to partition 1, the earlier half to partition 0. The reader
      // got
      // partition 1's records first in every run; with one watermark after the source, 1,499 of
      // partition 0's events were then late (checked by turning watermarksPerSplit() off).
      int half = lines.size() / 2;
      for (int i = half; i < lines.size(); i++)
        producer.send(new ProducerRecord<>(topic, 1, null, lines.get(i)));
      producer.flush();
      for (int i = 0; i < half; i++)
        producer.send(new ProducerRecord<>(topic, 0, null, lines.get(i)));
      producer.flush();
    }

    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      // One reader for both partitions, and watermarks every millisecond: a single watermark after
      // the
      // source would then surely pass the slow partition's events while the fast partition's are
      // read.
      StreamJob.Result r = stream(warehouse, topic, redis.uri(), 1, 1);
      assertThat(r.late()).as("events late because another partition was ahead").isZero();
      assertThat(r.events()).isEqualTo(3000);
      assertThat(Tables.count(warehouse, DeadLetters.ID))
          .as("only the two malformed lines")
          .isEqualTo(2);
      assertThat(StreamJobITCase.mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
    }
  }

  /**
   * Poison records on one partition ahead of 3,000 normal ones: a tombstone, a non-finite number,
   * an event time beyond epoch milliseconds, and one dated 2099. Each is a dead letter with its
   * reason; the job ends normally; the 2099 event moves no watermark (no later event is late); the
   * values equal a backfill over the valid events.
   */
  @Test
  void poisonRecordsAreDeadLettersAndAFarFutureEventMovesNoWatermark() throws Exception {
    String topic = "poison";
    kafka.addTopics(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1));
    long now = System.currentTimeMillis();
    List<String> lines = Files.readAllLines(StreamJobITCase.eventsFile(dir, now, 3000, 53));
    try (KafkaProducer<String, String> producer = producer()) {
      producer.send(
          new ProducerRecord<>(
              topic,
              "u1",
              "{\"id\":\"p-future\",\"ts\":\"2099-01-01T00:00:00Z\",\"user\":\"u1\"}"));
      producer.send(new ProducerRecord<>(topic, "u1", null));
      producer.send(
          new ProducerRecord<>(
              topic,
              "u1",
              "{\"id\":\"p-inf\",\"ts\":"
                  + (now - 7 * 3_600_000L) // before every other event: its time moves nothing
                  + ",\"user\":\"u1\",\"kind\":\"buy\",\"amount\":1e400}"));
      producer.send(
          new ProducerRecord<>(
              topic,
              "u1",
              "{\"id\":\"p-overflow\",\"ts\":\"+300000000-01-01T00:00:00Z\",\"user\":\"u1\"}"));
      for (String line : lines) producer.send(new ProducerRecord<>(topic, "k", line));
      producer.flush();
    }

    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse-poison"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis-poison"))) {
      StreamJob.Result r = stream(warehouse, topic, redis.uri(), 1, 1);
      assertThat(r.events()).isEqualTo(3000);
      assertThat(r.late()).as("events made late by the 2099 event").isZero();
      assertThat(r.malformed()).isEqualTo(2 + 4);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      List<String> reasons = new java.util.ArrayList<>();
      try (var rows =
          org.apache.iceberg.data.IcebergGenerics.read(warehouse.load(DeadLetters.ID)).build()) {
        for (var row : rows) reasons.add((String) row.getField("reason"));
      }
      assertThat(reasons)
          .hasSize(6)
          .anyMatch(x -> x.contains("tombstone"))
          .anyMatch(x -> x.contains("'amount'") && x.contains("not a finite number"))
          .anyMatch(x -> x.contains("'ts'") && x.contains("+300000000"))
          .anyMatch(x -> x.contains("2099-01-01T00:00:00Z") && x.contains("max_future_skew"));
      assertThat(StreamJobITCase.mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
    }
  }

  /**
   * Two groups of one source in one job, over a topic holding producer retries, then the whole
   * topic replayed from the earliest offsets by a second job: the raw table holds every event id
   * once, each job computes each id once, and both groups end at the values of a batch over the
   * distinct events.
   */
  @Test
  void aReplayedTopicWithRetriesStoresAndCountsEachEventIdOnce() throws Exception {
    String topic = "replayed";
    kafka.addTopics(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short) 1));
    long now = System.currentTimeMillis();
    List<String> lines = Files.readAllLines(StreamJobITCase.eventsFile(dir, now, 3000, 59));
    int retries = 0;
    try (KafkaProducer<String, String> producer = producer()) {
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        producer.send(new ProducerRecord<>(topic, Integer.toString(i % 7), line));
        // Every 25th event is sent again, as a producer retry would, on the same partition.
        if (i % 25 == 0 && line.startsWith("{\"id\"") && !line.contains("never")) {
          producer.send(new ProducerRecord<>(topic, Integer.toString(i % 7), line));
          retries++;
        }
      }
      producer.flush();
    }
    var mix = TestGroups.group(TestGroups.MIX_YAML);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse-replayed"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis-replayed"))) {
      for (int run = 0; run < 2; run++) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamJob.Result r =
            StreamJob.of(
                    warehouse,
                    List.of(StreamJobITCase.G, mix),
                    new KafkaPayloadSource(
                        kafka.getBrokersAsString(),
                        topic,
                        "janus-replay-" + run,
                        KafkaPayloadSource.StartOffsets.EARLIEST,
                        true,
                        Map.of()),
                    RedisOnlineStore.factory(redis.uri()))
                .withOutOfOrderness(Duration.ofMinutes(10))
                .withCheckpointInterval(Duration.ofMillis(500))
                .withCheckpointDir(dir.resolve("checkpoints-" + run))
                .run(env);
        assertThat(r.events()).isEqualTo(3000 + retries);
        assertThat(r.duplicates()).as("retries computed again").isEqualTo(retries);
        assertThat(r.alreadyStored())
            .as("events not appended again")
            .isEqualTo(run == 0 ? retries : 3000 + retries);
        assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      }
      assertThat(Tables.count(warehouse, DeadLetters.ID))
          .as("two malformed lines, twice")
          .isEqualTo(4);
      assertThat(StreamJobITCase.mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
      assertThat(StreamJobITCase.mismatchesAgainstBackfill(warehouse, mix, redis.uri(), now))
          .isZero();
    }
  }
}
