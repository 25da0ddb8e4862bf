package io.janus.engine.core.state;

import java.util.Arrays;

/**
 * A sorted set of times as a primitive array with a moving head: times are mostly added in order
 * (events and expiries move forward), so adding is an append and taking the first is O(1), with no
 * boxing. Out-of-order times are inserted by binary search.
 */
public final class TimeQueue {
  private long[] times = new long[8];
  private int head;
  private int tail;

  public boolean isEmpty() {
    return head == tail;
  }

  public int size() {
    return tail - head;
  }

  /** The smallest time; undefined when empty. */
  public long first() {
    return times[head];
  }

  /** Removes and returns the smallest time. */
  public long pollFirst() {
    long t = times[head++];
    if (head == tail) {
      head = 0;
      tail = 0;
    }
    return t;
  }

  /** Adds {@code t} unless present. */
  public void add(long t) {
    if (head == tail || t > times[tail - 1]) {
      ensureRoom();
      times[tail++] = t;
      return;
    }
    if (Arrays.binarySearch(times, head, tail, t) >= 0) {
      return;
    }
    ensureRoom(); // may move the elements, so search again below
    int insert = -Arrays.binarySearch(times, head, tail, t) - 1;
    System.arraycopy(times, insert, times, insert + 1, tail - insert);
    times[insert] = t;
    tail++;
  }

  private void ensureRoom() {
    if (tail < times.length) {
      return;
    }
    if (head > times.length / 2) {
      System.arraycopy(times, head, times, 0, tail - head);
      tail -= head;
      head = 0;
    } else {
      times = Arrays.copyOf(times, times.length * 2);
    }
  }

  /** The times in order. */
  public long[] toArray() {
    return Arrays.copyOfRange(times, head, tail);
  }
}
