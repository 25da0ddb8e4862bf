package io.janus.engine.core.state;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * A sorted map from times to IR arrays, as parallel primitive arrays with a moving head: a key's
 * pending inputs and hop slices are mostly added at the end (time moves forward) and removed from
 * the front (they fire or leave the longest window), so both are O(1) with no boxing; lookups are
 * binary searches, with the newest entry checked first. The per-key state of hot keys lives here.
 */
public final class TimeMap {
  private long[] keys = new long[4];
  private Object[][] values = new Object[4][];
  private int head;
  private int tail;

  public boolean isEmpty() {
    return head == tail;
  }

  public int size() {
    return tail - head;
  }

  /** The smallest time; undefined when empty. */
  public long firstKey() {
    return keys[head];
  }

  /** Removes the entry with the smallest time. */
  public void pollFirst() {
    values[head++] = null;
    if (head == tail) {
      head = 0;
      tail = 0;
    }
  }

  private int indexOf(long t) {
    if (head == tail) return -1;
    if (keys[tail - 1] == t) return tail - 1;
    if (t > keys[tail - 1]) return -(tail + 1);
    return Arrays.binarySearch(keys, head, tail, t);
  }

  /** The value at {@code t}, or null. */
  public Object[] get(long t) {
    int i = indexOf(t);
    return i >= 0 ? values[i] : null;
  }

  /** Sets the value at {@code t}. */
  public void put(long t, Object[] v) {
    int i = indexOf(t);
    if (i >= 0) {
      values[i] = v;
      return;
    }
    insert(-i - 1, t, v);
  }

  /** The value at {@code t}, created by {@code create} when absent. */
  public Object[] computeIfAbsent(long t, LongFunction<Object[]> create) {
    int i = indexOf(t);
    if (i >= 0) return values[i];
    Object[] v = create.apply(t);
    insert(-i - 1, t, v);
    return v;
  }

  /** Removes and returns the value at {@code t}, or null. */
  public Object[] remove(long t) {
    int i = indexOf(t);
    if (i < 0) return null;
    Object[] v = values[i];
    if (i == head) {
      pollFirst();
    } else {
      System.arraycopy(keys, i + 1, keys, i, tail - i - 1);
      System.arraycopy(values, i + 1, values, i, tail - i - 1);
      values[--tail] = null;
    }
    return v;
  }

  /**
   * Index of the first entry whose time is greater than {@code t} (for {@link #keyAt}/{@link
   * #valueAt} iteration up to {@link #end()}).
   */
  public int firstAfter(long t) {
    int i = Arrays.binarySearch(keys, head, tail, t);
    return i >= 0 ? i + 1 : -i - 1;
  }

  /** Index of the first entry. */
  public int start() {
    return head;
  }

  /** Index past the last entry. */
  public int end() {
    return tail;
  }

  public long keyAt(int index) {
    return keys[index];
  }

  public Object[] valueAt(int index) {
    return values[index];
  }

  private void insert(int at, long t, Object[] v) {
    if (tail == keys.length) {
      int n = tail - head;
      if (head > keys.length / 2) {
        // Room at the front: slide down instead of growing.
        System.arraycopy(keys, head, keys, 0, n);
        System.arraycopy(values, head, values, 0, n);
        Arrays.fill(values, n, tail, null);
      } else {
        keys = Arrays.copyOf(keys, keys.length * 2);
        Object[][] grown = new Object[keys.length][];
        System.arraycopy(values, head, grown, 0, n);
        System.arraycopy(keys, head, keys, 0, n);
        values = grown;
      }
      at -= head;
      head = 0;
      tail = n;
    }
    System.arraycopy(keys, at, keys, at + 1, tail - at);
    System.arraycopy(values, at, values, at + 1, tail - at);
    keys[at] = t;
    values[at] = v;
    tail++;
  }
}
