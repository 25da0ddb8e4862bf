package io.janus.features.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Deterministic generator of a sample clickstream as JSON lines.
 *
 * <p>Event ids are {@code e<seed>-<start yyyymmdd>-<12-digit sequence>}, unique across settings.
 *
 * <p>Each line is one event with the keys, in this order: {@code event_id, event_ts, user_id,
 * session_id, event_type, product_id, price, currency, device{mobile, os}, geo{country, city}} (see
 * {@link #FIELDS}). Users and products are Zipf-skewed; users browse in sessions of at most 30
 * minutes following a page_view &rarr; click &rarr; add_to_cart &rarr; purchase funnel; a share of
 * events arrives late (bounded by {@link #maxDisorder()}) and a share of lines is malformed (see
 * {@link MalformedKind}).
 *
 * <p>The output is a pure function of the configuration: every call of {@link #lines()}, {@link
 * #stream()} or {@link #writeTo(Path)} yields the same lines. Generation is lazy; memory is bounded
 * by the sessions active at one moment, the late events held back and one price per product.
 * Instances are immutable and thread-safe; each iteration has its own state.
 */
public final class ClickstreamGenerator {

  /** Top-level keys of a well-formed line, in emission order. */
  public static final List<String> FIELDS =
      List.of(
          "event_id",
          "event_ts",
          "user_id",
          "session_id",
          "event_type",
          "product_id",
          "price",
          "currency",
          "device",
          "geo");

  /** Event types in funnel order. */
  public static final List<String> EVENT_TYPES =
      List.of("page_view", "click", "add_to_cart", "purchase");

  /** Longest session: a session emits nothing later than this after its first event. */
  public static final Duration MAX_SESSION = Duration.ofMinutes(30);

  /** Kinds of malformed lines, produced in this order round-robin. */
  public enum MalformedKind {
    /** A well-formed line cut short: not parseable as JSON. */
    NOT_JSON,
    /** The {@code event_id} key is absent. */
    MISSING_EVENT_ID,
    /** {@code price} is the string {@code "abc"}. */
    PRICE_NOT_NUMBER,
    /** {@code event_ts} is {@code "yesterday"}. */
    BAD_EVENT_TS,
    /** {@code event_type} is {@code "hover"}. */
    UNKNOWN_EVENT_TYPE
  }

  // Funnel conversion: probability that a step leads to the next one on the same product.
  private static final double P_CLICK = 0.30;
  private static final double P_CART = 0.25;
  private static final double P_PURCHASE = 0.40;

  /** Mean number of extra product views per session beyond the first. */
  private static final double MEAN_EXTRA_VIEWS = 5.0;

  private static final int MAX_VIEWS = 60;

  // Skew. The offsets keep the single heaviest user/product below a few percent of the traffic.
  private static final double USER_SKEW = 1.0;
  private static final double USER_OFFSET = 20;
  private static final double PRODUCT_SKEW = 1.0;
  private static final double PRODUCT_OFFSET = 10;

  private static final double LOG_MIN_PRICE = StrictMath.log(2);
  private static final double LOG_MAX_PRICE = StrictMath.log(1000);

  private static final long DAY_MS = 86_400_000L;
  private static final long MAX_SESSION_MS = MAX_SESSION.toMillis();

  /** Cap on late events owed when no event could be delayed, so they don't arrive in a burst. */
  private static final int MAX_DISORDER_DEBT = 8;

  private static final String[] TYPE_NAMES = EVENT_TYPES.toArray(String[]::new);
  private static final int PAGE_VIEW = 0;
  private static final int CLICK = 1;
  private static final int ADD_TO_CART = 2;
  private static final int PURCHASE = 3;
  private static final MalformedKind[] KINDS = MalformedKind.values();
  private static final long[] POW10 = {
    1L,
    10L,
    100L,
    1_000L,
    10_000L,
    100_000L,
    1_000_000L,
    10_000_000L,
    100_000_000L,
    1_000_000_000L,
    10_000_000_000L,
    100_000_000_000L
  };

  private static final String[] MOBILE_OS = {"Android", "Android", "Android", "iOS", "iOS"};
  private static final String[] DESKTOP_OS = {
    "Windows", "Windows", "Windows", "macOS", "macOS", "Linux"
  };
  // {country, city}; repeated countries are deliberately heavier.
  private static final String[][] GEO = {
    {"US", "New York"},
    {"US", "Los Angeles"},
    {"US", "Chicago"},
    {"US", "Houston"},
    {"US", "Seattle"},
    {"US", "San Francisco"},
    {"US", "Austin"},
    {"US", "Boston"},
    {"GB", "London"},
    {"GB", "Manchester"},
    {"DE", "Berlin"},
    {"DE", "Munich"},
    {"DE", "Hamburg"},
    {"FR", "Paris"},
    {"FR", "Lyon"},
    {"NL", "Amsterdam"},
    {"ES", "Madrid"},
    {"ES", "Barcelona"},
    {"IT", "Milan"},
    {"IT", "Rome"},
    {"CA", "Toronto"},
    {"CA", "Vancouver"},
    {"BR", "Sao Paulo"},
    {"IN", "Bangalore"},
    {"IN", "Mumbai"},
    {"JP", "Tokyo"},
    {"AU", "Sydney"},
    {"PL", "Warsaw"},
    {"SE", "Stockholm"},
    {"MX", "Mexico City"}
  };
  // The JSON tail after "currency" for every (mobile, os, geo) combination: rendering is one
  // append.
  private static final String[][] MOBILE_TAIL = tails(true, MOBILE_OS);
  private static final String[][] DESKTOP_TAIL = tails(false, DESKTOP_OS);

  private static String[][] tails(boolean mobile, String[] oses) {
    String[][] tails = new String[oses.length][GEO.length];
    for (int o = 0; o < oses.length; o++) {
      for (int g = 0; g < GEO.length; g++) {
        tails[o][g] =
            ",\"device\":{\"mobile\":"
                + mobile
                + ",\"os\":\""
                + oses[o]
                + "\"},\"geo\":{\"country\":\""
                + GEO[g][0]
                + "\",\"city\":\""
                + GEO[g][1]
                + "\"}}";
      }
    }
    return tails;
  }

  private final long seed;
  private final long events;
  private final int days;
  private final LocalDate start;
  private final int users;
  private final int products;
  private final double malformedRate;
  private final double outOfOrderRate;
  private final Duration maxDisorder;
  private final Instant until;

  private ClickstreamGenerator(Builder b) {
    this.seed = b.seed;
    this.events = b.events;
    this.days = b.days;
    this.start = b.start;
    this.until = b.until;
    this.users = b.users;
    this.products = b.products;
    this.malformedRate = b.malformedRate;
    this.outOfOrderRate = b.outOfOrderRate;
    this.maxDisorder = b.maxDisorder;
  }

  /** Returns a builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder initialised with this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .seed(seed)
        .events(events)
        .days(days)
        .start(start)
        .users(users)
        .products(products)
        .malformedRate(malformedRate)
        .outOfOrderRate(outOfOrderRate)
        .maxDisorder(maxDisorder);
  }

  /** Seed of all randomness. */
  public long seed() {
    return seed;
  }

  /** Exact number of lines produced, malformed ones included. */
  public long events() {
    return events;
  }

  /** Number of days covered. */
  public int days() {
    return days;
  }

  /** First day covered (UTC). */
  public LocalDate start() {
    return start;
  }

  /** Number of distinct users to draw from. */
  public int users() {
    return users;
  }

  /** Number of distinct products to draw from. */
  public int products() {
    return products;
  }

  /** Expected share of malformed lines. */
  public double malformedRate() {
    return malformedRate;
  }

  /**
   * Target share of events emitted after a newer line. It is reached while {@link #maxDisorder()}
   * is well above the usual gap between consecutive events, and saturates near one half because two
   * consecutive events are never both held back.
   */
  public double outOfOrderRate() {
    return outOfOrderRate;
  }

  /** Bound on how far a line's timestamp may lag the largest timestamp emitted before it. */
  public Duration maxDisorder() {
    return maxDisorder;
  }

  /** Inclusive lower bound of all timestamps: the start of {@link #start()} UTC. */
  public Instant startInstant() {
    return start.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /**
   * Exclusive upper bound of all timestamps: {@link #days()} days after {@link #startInstant()}.
   */
  public Instant endInstant() {
    Instant end = start.plusDays(days).atStartOfDay(ZoneOffset.UTC).toInstant();
    return until != null && until.isBefore(end) && until.isAfter(startInstant()) ? until : end;
  }

  /** Lazily produces the lines, without line terminators. */
  public Iterator<String> lines() {
    Run run = new Run(this);
    return new Iterator<>() {
      private final StringBuilder line = new StringBuilder(320);

      @Override
      public boolean hasNext() {
        return run.hasNext();
      }

      @Override
      public String next() {
        if (!run.hasNext()) {
          throw new NoSuchElementException();
        }
        line.setLength(0);
        run.nextLine(line);
        return line.toString();
      }
    };
  }

  /** The lines as a sequential, ordered stream; same content as {@link #lines()}. */
  public Stream<String> stream() {
    return StreamSupport.stream(
        Spliterators.spliterator(
            lines(), events, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
        false);
  }

  /**
   * Writes the lines to {@code file} as UTF-8, each terminated by {@code '\n'}, replacing any
   * existing content.
   *
   * @return number of lines written, always {@link #events()}
   * @throws IOException if the file cannot be written
   */
  public long writeTo(Path file) throws IOException {
    Run run = new Run(this);
    // Lines are batched in one builder and encoded per batch, so no String is made per line.
    int batch = 1 << 16;
    StringBuilder buf = new StringBuilder(batch + 1024);
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (run.hasNext()) {
        run.nextLine(buf);
        buf.append('\n');
        written++;
        if (buf.length() >= batch) {
          out.write(buf.toString().getBytes(StandardCharsets.UTF_8));
          buf.setLength(0);
        }
      }
      out.write(buf.toString().getBytes(StandardCharsets.UTF_8));
    }
    return written;
  }

  @Override
  public String toString() {
    return "ClickstreamGenerator{seed="
        + seed
        + ", events="
        + events
        + ", days="
        + days
        + ", start="
        + start
        + ", users="
        + users
        + ", products="
        + products
        + ", malformedRate="
        + malformedRate
        + ", outOfOrderRate="
        + outOfOrderRate
        + ", maxDisorder="
        + maxDisorder
        + '}';
  }

  /** SplitMix64 finaliser: a fixed hash for attributes derived from an index. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Fluent builder; every setter validates its argument. */
  public static final class Builder {
    private long seed = 42;
    private long events = 1_000_000;
    private int days = 3;
    private LocalDate start = LocalDate.of(2024, 1, 1);
    private int users = 20_000;
    private int products = 2_000;
    private double malformedRate = 0.001;
    private double outOfOrderRate = 0.01;
    private Duration maxDisorder = Duration.ofMinutes(2);
    private Instant until;

    private Builder() {}

    /**
     * An exclusive upper bound of the timestamps earlier than the end of the last day, e.g. now, so
     * that a stream of today's events holds none ahead of the clock (sources refuse events more
     * than their {@code max_future_skew} ahead); default none.
     */
    public Builder until(Instant bound) {
      this.until = bound;
      return this;
    }

    /** Seed of all randomness; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Exact number of lines, at least 0; default 1,000,000. */
    public Builder events(long events) {
      if (events < 0) {
        throw new IllegalArgumentException("events must be >= 0: " + events);
      }
      this.events = events;
      return this;
    }

    /** Number of days covered, at least 1; default 3. */
    public Builder days(int days) {
      if (days < 1) {
        throw new IllegalArgumentException("days must be >= 1: " + days);
      }
      this.days = days;
      return this;
    }

    /** First day covered (UTC); default 2024-01-01. */
    public Builder start(LocalDate start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    /** Number of users, at least 1; default 20,000. */
    public Builder users(int users) {
      if (users < 1) {
        throw new IllegalArgumentException("users must be >= 1: " + users);
      }
      this.users = users;
      return this;
    }

    /** Number of products, at least 1; default 2,000. */
    public Builder products(int products) {
      if (products < 1) {
        throw new IllegalArgumentException("products must be >= 1: " + products);
      }
      this.products = products;
      return this;
    }

    /** Expected share of malformed lines, in [0, 1]; default 0.001. */
    public Builder malformedRate(double malformedRate) {
      this.malformedRate = checkRate("malformedRate", malformedRate);
      return this;
    }

    /** Target share of late events, in [0, 1]; default 0.01. See {@link #outOfOrderRate()}. */
    public Builder outOfOrderRate(double outOfOrderRate) {
      this.outOfOrderRate = checkRate("outOfOrderRate", outOfOrderRate);
      return this;
    }

    /** Bound on lateness, in [0, 365 days], millisecond precision; default 2 minutes. */
    public Builder maxDisorder(Duration maxDisorder) {
      Objects.requireNonNull(maxDisorder, "maxDisorder");
      if (maxDisorder.isNegative() || maxDisorder.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("maxDisorder must be in [0, 365d]: " + maxDisorder);
      }
      this.maxDisorder = maxDisorder;
      return this;
    }

    /** Builds the immutable generator. */
    public ClickstreamGenerator build() {
      if (start.plusDays(days).getYear() > 9999) {
        throw new IllegalArgumentException("range must end before year 10000");
      }
      return new ClickstreamGenerator(this);
    }

    private static double checkRate(String name, double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException(name + " must be in [0, 1]: " + rate);
      }
      return rate;
    }
  }

  /** A browsing session in flight, ordered by next event time; recycled to avoid churn. */
  private static final class Session implements Comparable<Session> {
    long seq;
    int user;
    long startTs;
    long nextTs;
    int nextType;
    int product;
    int viewsLeft;
    int emitted;

    @Override
    public int compareTo(Session o) {
      // The sequence breaks ties, so the merge order never depends on heap internals.
      int c = Long.compare(nextTs, o.nextTs);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** A generated line held back to be emitted late, ordered by release time. */
  private record Late(String line, long releaseAt, long seq) implements Comparable<Late> {
    @Override
    public int compareTo(Late o) {
      int c = Long.compare(releaseAt, o.releaseAt);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /**
   * One pass over the output. Sessions arrive as a Poisson process whose rate is re-derived from
   * the events and time left, so the stream ends close to the end of the range whatever the session
   * lengths turn out to be; the active sessions are merged by next timestamp, which keeps the
   * output in timestamp order apart from the deliberately late events.
   */
  private static final class Run {
    private final long events;
    private final long startMs;
    private final long endMs;
    // Event ids are unique across seeds and start days (e42-20240101-000000000007): two generated
    // files of different settings never share an id, so ingesting both keeps both.
    private final String idPrefix;
    private final long maxDisorderMs;
    private final double malformedRate;
    private final double outOfOrderRate;

    // Separate streams, so changing one rate does not reshuffle the rest of the data. All floating
    // point goes through StrictMath, so a seed yields the same bytes on every JVM and CPU.
    private final SplittableRandom arrivals;
    private final SplittableRandom behaviour;
    private final SplittableRandom malformation;
    private final SplittableRandom disorder;

    private final ZipfSampler userSampler;
    private final ZipfSampler productSampler;
    private final int[] priceCents;
    private final boolean[] euro;

    private final PriorityQueue<Session> active = new PriorityQueue<>();
    private final ArrayDeque<Session> pool = new ArrayDeque<>();
    private final PriorityQueue<Late> late = new PriorityQueue<>();

    private long generated;
    private long emitted;
    private long sessionSeq;
    private long nextArrival;
    private long malformedCount;
    private int disorderDebt;
    private boolean previousLate;

    // Running mean of events per finished session, seeded with a prior, drives the arrival rate.
    private double finishedEvents;
    private double finishedSessions;

    private long cachedDay = Long.MIN_VALUE;
    private String cachedDate;

    Run(ClickstreamGenerator g) {
      this.events = g.events;
      this.startMs = g.startInstant().toEpochMilli();
      this.idPrefix = "e" + g.seed + "-" + g.start.toString().replace("-", "") + "-";
      this.endMs = g.endInstant().toEpochMilli();
      this.maxDisorderMs = g.maxDisorder.toMillis();
      this.malformedRate = g.malformedRate;
      this.outOfOrderRate = g.outOfOrderRate;
      SplittableRandom root = new SplittableRandom(g.seed);
      this.arrivals = root.split();
      this.behaviour = root.split();
      this.malformation = root.split();
      this.disorder = root.split();
      this.userSampler = new ZipfSampler(g.users, USER_SKEW, USER_OFFSET, mix64(g.seed ^ 0x55L));
      this.productSampler =
          new ZipfSampler(g.products, PRODUCT_SKEW, PRODUCT_OFFSET, mix64(g.seed ^ 0x77L));
      this.priceCents = new int[g.products];
      this.euro = new boolean[g.products];
      for (int p = 0; p < g.products; p++) {
        // Derived from the index alone: a product keeps its price across seeds.
        long h = mix64((p + 1) * 0x9E3779B97F4A7C15L + 0x5EED_0001L);
        double u = (h >>> 11) * 0x1.0p-53;
        // Log-uniform in [2, 1000) dollars: many cheap products, few expensive ones.
        int dollars = (int) StrictMath.exp(LOG_MIN_PRICE + u * (LOG_MAX_PRICE - LOG_MIN_PRICE));
        int ending = (int) (h & 7);
        int cents = ending < 5 ? 99 : ending < 7 ? 49 : 0;
        priceCents[p] = dollars * 100 + cents;
        euro[p] = ((h >>> 3) & 0xF) < 5;
      }
      // Prior guess of events per session; refined by the running mean as sessions finish.
      double eventsPerView = 1 + P_CLICK * (1 + P_CART * (1 + P_PURCHASE));
      this.finishedEvents = 20 * (1 + MEAN_EXTRA_VIEWS) * eventsPerView;
      this.finishedSessions = 20;
      this.nextArrival = startMs;
      scheduleArrival();
    }

    boolean hasNext() {
      return emitted < events;
    }

    /** Appends the next line to {@code out}; requires {@link #hasNext()}. */
    void nextLine(StringBuilder out) {
      while (true) {
        long candidate = generated < events ? nextEventTs() : Long.MAX_VALUE;
        Late held = late.peek();
        if (held != null && held.releaseAt < candidate) {
          late.poll();
          out.append(held.line);
          emitted++;
          return;
        }
        int begin = out.length();
        long ts = generate(out);
        long releaseAt = lateRelease(ts);
        if (releaseAt >= 0) {
          late.add(new Late(out.substring(begin), releaseAt, generated));
          out.setLength(begin);
          continue;
        }
        emitted++;
        return;
      }
    }

    private long nextEventTs() {
      Session s = active.peek();
      return s != null && s.nextTs <= nextArrival ? s.nextTs : nextArrival;
    }

    /** Draws the start of the next session, at or after the current one and before the end. */
    private void scheduleArrival() {
      long left = Math.max(1, events - generated);
      long remainingMs = endMs - nextArrival;
      double meanSessionEvents = finishedEvents / finishedSessions;
      double meanGap = meanSessionEvents * remainingMs / left;
      double gap = -StrictMath.log(1 - arrivals.nextDouble()) * meanGap;
      // Halving what is left bounds the last sessions inside the range even for tiny event counts.
      gap = Math.min(gap, (remainingMs - 1) / 2.0);
      nextArrival += (long) gap;
    }

    /** Produces the next event in timestamp order into {@code out}; returns its timestamp. */
    private long generate(StringBuilder out) {
      Session s = active.peek();
      if (s != null && s.nextTs <= nextArrival) {
        active.poll();
      } else {
        s = startSession(nextArrival);
        scheduleArrival();
      }
      long ts = s.nextTs;
      render(out, generated, ts, s, malformedKind(), s.nextType);
      generated++;
      s.emitted++;
      advance(s);
      return ts;
    }

    private Session startSession(long ts) {
      Session s = pool.isEmpty() ? new Session() : pool.pop();
      s.seq = sessionSeq++;
      s.user = userSampler.sample(behaviour);
      s.startTs = ts;
      s.nextTs = ts;
      s.nextType = PAGE_VIEW;
      s.product = productSampler.sample(behaviour);
      double extra = -StrictMath.log(1 - behaviour.nextDouble()) * MEAN_EXTRA_VIEWS;
      s.viewsLeft = (int) Math.min(MAX_VIEWS, 1 + extra);
      s.emitted = 0;
      return s;
    }

    /** Decides the session's next step after the event just emitted, or ends it. */
    private void advance(Session s) {
      SplittableRandom r = behaviour;
      long gap;
      switch (s.nextType) {
        case PAGE_VIEW -> {
          s.viewsLeft--;
          if (r.nextDouble() < P_CLICK) {
            s.nextType = CLICK;
            gap = 500 + expMs(r, 5_000);
          } else {
            gap = -1;
          }
        }
        case CLICK -> {
          if (r.nextDouble() < P_CART) {
            s.nextType = ADD_TO_CART;
            gap = 1_000 + expMs(r, 10_000);
          } else {
            gap = -1;
          }
        }
        case ADD_TO_CART -> {
          if (r.nextDouble() < P_PURCHASE) {
            s.nextType = PURCHASE;
            gap = 3_000 + expMs(r, 30_000);
          } else {
            gap = -1;
          }
        }
        default -> gap = -1;
      }
      if (gap < 0) {
        if (s.viewsLeft <= 0) {
          finish(s);
          return;
        }
        // Next product: reading a page takes seconds to a few minutes.
        s.nextType = PAGE_VIEW;
        s.product = productSampler.sample(r);
        gap = 2_000 + Math.min(expMs(r, 30_000), 300_000);
      }
      s.nextTs += gap;
      if (s.nextTs >= endMs || s.nextTs - s.startTs > MAX_SESSION_MS) {
        finish(s);
      } else {
        active.add(s);
      }
    }

    private static long expMs(SplittableRandom r, double meanMs) {
      return (long) (-StrictMath.log(1 - r.nextDouble()) * meanMs);
    }

    private void finish(Session s) {
      finishedEvents += s.emitted;
      finishedSessions++;
      pool.push(s);
    }

    private MalformedKind malformedKind() {
      if (malformedRate > 0 && malformation.nextDouble() < malformedRate) {
        return KINDS[(int) (malformedCount++ % KINDS.length)];
      }
      return null;
    }

    /**
     * Decides whether the event at {@code ts} is held back; returns its release time or -1. A held
     * event is released just before the first in-order event later than the release time, and the
     * release time is at least the next event's timestamp and at most {@code ts + maxDisorder}: so
     * it is always preceded by a newer line, and never lags the newest line by more than
     * maxDisorder.
     */
    private long lateRelease(long ts) {
      if (outOfOrderRate > 0 && disorder.nextDouble() < outOfOrderRate) {
        disorderDebt = Math.min(disorderDebt + 1, MAX_DISORDER_DEBT);
      }
      // Two held events in a row could be released back to back, in order; skip and owe one.
      if (disorderDebt == 0 || previousLate || generated >= events) {
        previousLate = false;
        return -1;
      }
      long lead = nextEventTs() - ts;
      if (lead <= 0 || lead > maxDisorderMs) {
        previousLate = false;
        return -1;
      }
      disorderDebt--;
      previousLate = true;
      return ts + lead + disorder.nextLong(maxDisorderMs - lead + 1);
    }

    private void render(
        StringBuilder sb, long id, long ts, Session s, MalformedKind kind, int type) {
      int begin = sb.length();
      sb.append('{');
      if (kind != MalformedKind.MISSING_EVENT_ID) {
        sb.append("\"event_id\":\"").append(idPrefix);
        pad(sb, id, 12);
        sb.append("\",");
      }
      sb.append("\"event_ts\":\"");
      if (kind == MalformedKind.BAD_EVENT_TS) {
        sb.append("yesterday");
      } else {
        timestamp(sb, ts);
      }
      sb.append("\",\"user_id\":\"u");
      pad(sb, s.user, 5);
      sb.append("\",\"session_id\":\"s");
      pad(sb, s.seq, 9);
      sb.append("\",\"event_type\":\"")
          .append(kind == MalformedKind.UNKNOWN_EVENT_TYPE ? "hover" : TYPE_NAMES[type])
          .append("\",\"product_id\":\"p");
      pad(sb, s.product, 4);
      sb.append("\",\"price\":");
      if (kind == MalformedKind.PRICE_NOT_NUMBER) {
        sb.append("\"abc\"");
      } else {
        int cents = priceCents[s.product];
        sb.append(cents / 100).append('.');
        pad(sb, cents % 100, 2);
      }
      sb.append(euro[s.product] ? ",\"currency\":\"EUR\"" : ",\"currency\":\"USD\"");
      // User attributes derive from the user index alone, so a user keeps them across seeds.
      long h = mix64((s.user + 1) * 0x9E3779B97F4A7C15L + 0x5EED_0002L);
      boolean mobile = (h & 0xFFFF) < 0.6 * 0x10000;
      String[][] tails = mobile ? MOBILE_TAIL : DESKTOP_TAIL;
      sb.append(
          tails[(int) ((h >>> 16) & 0xFFFF) % tails.length][
              (int) ((h >>> 32) & 0x7FFF_FFFFL) % GEO.length]);
      if (kind == MalformedKind.NOT_JSON) {
        // Keep at least a third and drop at least the last two chars: a torn write.
        int len = sb.length() - begin;
        sb.setLength(begin + len / 3 + malformation.nextInt(len - 1 - len / 3));
      }
    }

    /** Appends {@code ms} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}; the date part is cached per day. */
    private void timestamp(StringBuilder sb, long ms) {
      long day = Math.floorDiv(ms, DAY_MS);
      if (day != cachedDay) {
        cachedDay = day;
        cachedDate = LocalDate.ofEpochDay(day) + "T";
      }
      int t = (int) (ms - day * DAY_MS);
      sb.append(cachedDate);
      pad(sb, t / 3_600_000, 2);
      sb.append(':');
      pad(sb, t / 60_000 % 60, 2);
      sb.append(':');
      pad(sb, t / 1000 % 60, 2);
      sb.append('.');
      pad(sb, t % 1000, 3);
      sb.append('Z');
    }

    /** Appends a non-negative value zero-padded to at least {@code width} digits. */
    private static void pad(StringBuilder sb, long value, int width) {
      for (int w = width - 1; w > 0 && value < POW10[w]; w--) {
        sb.append('0');
      }
      sb.append(value);
    }
  }
}
