package io.janus.engine.iceberg.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of event ids held as 128-bit digests (MD5 of the UTF-8 id) in two open-addressing {@code
 * long} arrays: about 21 bytes per id at the 0.75 load factor, where a {@code HashSet<String>} of
 * the generator's 28-character ids takes about 110. Two different ids share a digest with a
 * probability of about n²/2¹²⁹ (10⁻²⁵ for ten million ids), so membership is exact in practice.
 * Neither the JDK nor the primitive-collection libraries on Maven Central offer a set of 128-bit
 * values; a map of {@code long} to a second {@code long} would not be smaller.
 *
 * <p>Not thread-safe.
 */
public final class EventIdSet {
  private final MessageDigest md5;
  private long[] hi;
  private long[] lo;
  private boolean[] used;
  private int size;

  /** An empty set. */
  public EventIdSet() {
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
    allocate(1 << 10);
  }

  private void allocate(int capacity) {
    hi = new long[capacity];
    lo = new long[capacity];
    used = new boolean[capacity];
    size = 0;
  }

  /** How many ids the set holds. */
  public int size() {
    return size;
  }

  /**
   * Adds {@code id}.
   *
   * @return true if the set did not hold it yet
   */
  public boolean add(String id) {
    byte[] d = md5.digest(id.getBytes(StandardCharsets.UTF_8));
    return add(toLong(d, 0), toLong(d, 8));
  }

  /** Whether the set holds {@code id}. */
  public boolean contains(String id) {
    byte[] d = md5.digest(id.getBytes(StandardCharsets.UTF_8));
    long h = toLong(d, 0);
    long l = toLong(d, 8);
    int mask = hi.length - 1;
    for (int i = (int) h & mask; used[i]; i = (i + 1) & mask) {
      if (hi[i] == h && lo[i] == l) return true;
    }
    return false;
  }

  private boolean add(long h, long l) {
    int mask = hi.length - 1;
    int i = (int) h & mask;
    for (; used[i]; i = (i + 1) & mask) {
      if (hi[i] == h && lo[i] == l) return false;
    }
    used[i] = true;
    hi[i] = h;
    lo[i] = l;
    if (++size * 4L > hi.length * 3L) grow();
    return true;
  }

  private void grow() {
    long[] oh = hi;
    long[] ol = lo;
    boolean[] ou = used;
    allocate(oh.length * 2);
    for (int i = 0; i < oh.length; i++) if (ou[i]) add(oh[i], ol[i]);
  }

  private static long toLong(byte[] b, int off) {
    long v = 0;
    for (int i = off; i < off + 8; i++) v = (v << 8) | (b[i] & 0xff);
    return v;
  }
}
