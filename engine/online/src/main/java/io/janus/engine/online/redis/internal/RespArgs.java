package io.janus.engine.online.redis.internal;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Command arguments written as RESP bulk strings once, by the thread that builds them. Lettuce
 * otherwise encodes every argument separately on its event loop when the command is written; for
 * guarded writes (about 20 arguments per row) that cost a whole core at 50k rows/s and starved the
 * Flink tasks on the same machine. Encoding is idempotent, so a command re-sent after a reconnect
 * writes the same bytes.
 */
public final class RespArgs extends CommandArgs<String, String> {
  private byte[] bytes;
  private int length;
  private int count;
  private java.nio.ByteBuffer firstKey;

  /**
   * @param capacity expected size in bytes (it grows as needed)
   */
  public RespArgs(int capacity) {
    super(StringCodec.UTF8);
    bytes = new byte[Math.max(64, capacity)];
  }

  /** Appends a text argument (UTF-8). */
  public RespArgs text(String s) {
    // String.getBytes is vectorised: for ASCII text it is one check and one copy.
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    header(b.length);
    put(b);
    crlf();
    return this;
  }

  /** Appends {@code prefix:rest} as one argument, without building the string. */
  public RespArgs text(String prefix, String rest) {
    byte[] a = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] b = rest.getBytes(StandardCharsets.UTF_8);
    header(a.length + 1 + b.length);
    put(a);
    ensure(1);
    bytes[length++] = ':';
    put(b);
    crlf();
    return this;
  }

  /**
   * Appends the key {@code prefix:rest}, as {@link #text(String, String)} does; the first key
   * appended is the one a cluster connection routes the command by.
   */
  public RespArgs key(String prefix, String rest) {
    if (firstKey == null)
      firstKey = java.nio.ByteBuffer.wrap((prefix + ":" + rest).getBytes(StandardCharsets.UTF_8));
    return text(prefix, rest);
  }

  /**
   * Routes the command as if its first key were {@code prefix:rest}, without appending it: for a
   * command without keys (WAIT) that must reach the server a key's slot lives on.
   */
  public RespArgs routedBy(String prefix, String rest) {
    firstKey = java.nio.ByteBuffer.wrap((prefix + ":" + rest).getBytes(StandardCharsets.UTF_8));
    return this;
  }

  @Override
  public java.nio.ByteBuffer getFirstEncodedKey() {
    return firstKey == null ? null : firstKey.duplicate();
  }

  /** Appends a number argument in decimal. */
  public RespArgs number(long v) {
    ensure(48);
    int digits = digits(v);
    header(digits);
    decimal(v, digits);
    crlf();
    return this;
  }

  @Override
  public int count() {
    return count;
  }

  @Override
  public void encode(ByteBuf buf) {
    buf.writeBytes(bytes, 0, length);
  }

  @Override
  public String toCommandString() {
    return count + " RESP-encoded arguments";
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + toCommandString() + ", " + length + " bytes]";
  }

  private void header(int n) {
    count++;
    ensure(24);
    bytes[length++] = '$';
    decimal(n, digits(n));
    crlf();
  }

  private void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, length, b.length);
    length += b.length;
  }

  /** Characters of {@code v} in decimal, with its sign. */
  private static int digits(long v) {
    if (v == Long.MIN_VALUE) return 20;
    int n = v < 0 ? 2 : 1;
    for (long x = Math.abs(v); x >= 10; x /= 10) n++;
    return n;
  }

  /** Writes {@code v} in decimal, {@code n} characters (room ensured by the caller). */
  private void decimal(long v, int n) {
    if (v == Long.MIN_VALUE) {
      for (byte c : Long.toString(v).getBytes(StandardCharsets.US_ASCII)) bytes[length++] = c;
      return;
    }
    int end = length + n;
    if (v < 0) {
      bytes[length] = '-';
      v = -v;
    }
    int at = end;
    do {
      bytes[--at] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v != 0);
    length = end;
  }

  private void crlf() {
    ensure(2);
    bytes[length++] = '\r';
    bytes[length++] = '\n';
  }

  private void ensure(int more) {
    if (length + more > bytes.length)
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
  }
}
