package io.janus.local.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An HTTP load generator for the serving benchmark, on Vert.x's non-blocking client.
 *
 * <ul>
 *   <li>{@link #openLoop}: requests at a fixed offered rate whatever the answers do; latency counts
 *       from each request's intended send time, so a server that falls behind shows it (no
 *       coordinated omission).
 *   <li>{@link #closedLoop}: a fixed number of requests outstanding, each sent when one returns:
 *       the most the server answers at that concurrency.
 * </ul>
 */
final class LoadGenerator implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final int port;

  /** One request: method, path and body (null for none). */
  record Request(HttpMethod method, String path, Buffer body) {}

  /**
   * What one run measured (latencies in microseconds, from the intended send time in open loop).
   *
   * @param offered requests per second asked for (0 in closed loop)
   * @param achieved requests per second answered within the measured window
   * @param answered answers within the window (open loop: of requests sent in it)
   * @param errors non-200 answers and failed requests in the window
   * @param latency the latency histogram of the window
   */
  record Result(double offered, double achieved, long answered, long errors, Histogram latency) {
    double p(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  LoadGenerator(int port, int connections) {
    this.port = port;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1"),
            new PoolOptions().setHttp1MaxSize(connections));
  }

  private Future<Integer> send(Request r) {
    RequestOptions o = new RequestOptions().setMethod(r.method()).setPort(port).setURI(r.path());
    if (r.body() != null) o.putHeader("content-type", "application/json");
    return client
        .request(o)
        .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /**
   * Sends {@code rate} requests per second for {@code warmup + measure}; requests intended during
   * the warm-up are not counted.
   */
  Result openLoop(LongFunction<Request> next, int rate, Duration warmup, Duration measure)
      throws InterruptedException {
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    AtomicLong answered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    long start = System.nanoTime() + 50_000_000L;
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    long total = (long) ((double) (end - start) / 1e9 * rate);
    CountDownLatch sentAll = new CountDownLatch(1);
    long[] sent = {0};
    vertx.runOnContext(
        v ->
            vertx.setPeriodic(
                1,
                id -> {
                  long now = System.nanoTime();
                  while (sent[0] < total) {
                    long intended = start + (long) (sent[0] * 1e9 / rate);
                    if (intended > now) break;
                    long i = sent[0]++;
                    boolean counted = intended >= measureFrom;
                    if (counted) outstanding.incrementAndGet();
                    send(next.apply(i))
                        .onComplete(
                            ar -> {
                              long latency = (System.nanoTime() - intended) / 1000;
                              if (!counted) return;
                              outstanding.decrementAndGet();
                              if (ar.succeeded() && ar.result() == 200) {
                                recorder.recordValue(Math.max(1, latency));
                                if (System.nanoTime() <= end) answered.incrementAndGet();
                              } else {
                                errors.incrementAndGet();
                              }
                            });
                  }
                  if (sent[0] >= total) {
                    vertx.cancelTimer(id);
                    sentAll.countDown();
                  }
                }));
    sentAll.await();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (outstanding.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
    errors.addAndGet(outstanding.get()); // measured ones not answered within 10 s of the last send
    double seconds = measure.toNanos() / 1e9;
    return new Result(
        rate,
        answered.get() / seconds,
        answered.get(),
        errors.get(),
        recorder.getIntervalHistogram());
  }

  /** Keeps {@code concurrency} requests outstanding for {@code warmup + measure}. */
  Result closedLoop(LongFunction<Request> next, int concurrency, Duration warmup, Duration measure)
      throws InterruptedException {
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    AtomicLong answered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong seq = new AtomicLong();
    long measureFrom = System.nanoTime() + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int c = 0; c < concurrency; c++) {
      vertx.runOnContext(v -> loop(next, seq, measureFrom, end, recorder, answered, errors, done));
    }
    done.await(measure.toSeconds() + warmup.toSeconds() + 30, TimeUnit.SECONDS);
    return new Result(
        0,
        answered.get() / (measure.toNanos() / 1e9),
        answered.get(),
        errors.get(),
        recorder.getIntervalHistogram());
  }

  private void loop(
      LongFunction<Request> next,
      AtomicLong seq,
      long measureFrom,
      long end,
      Recorder recorder,
      AtomicLong answered,
      AtomicLong errors,
      CountDownLatch done) {
    long t0 = System.nanoTime();
    if (t0 >= end) {
      done.countDown();
      return;
    }
    send(next.apply(seq.getAndIncrement()))
        .onComplete(
            ar -> {
              long t1 = System.nanoTime();
              if (t0 >= measureFrom && t1 <= end) {
                if (ar.succeeded() && ar.result() == 200) {
                  recorder.recordValue(Math.max(1, (t1 - t0) / 1000));
                  answered.incrementAndGet();
                } else {
                  errors.incrementAndGet();
                }
              }
              loop(next, seq, measureFrom, end, recorder, answered, errors, done);
            });
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
