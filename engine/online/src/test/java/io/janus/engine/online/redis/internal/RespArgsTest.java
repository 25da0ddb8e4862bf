package io.janus.engine.online.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pre-encoded arguments are byte for byte what Lettuce itself writes for the same arguments. */
class RespArgsTest {
  @Test
  void encodesLikeLettuce() {
    String longText = "x".repeat(5000);
    RespArgs ours =
        new RespArgs(16)
            .text("sha")
            .number(2)
            .text("user_activity", "u1")
            .text("grüße", "ké|y")
            .number(-1)
            .number(Long.MAX_VALUE)
            .number(Long.MIN_VALUE)
            .number(0)
            .number(10)
            .number(-10)
            .text("")
            .text("Zürich")
            .text(longText)
            .text("0123456789");
    CommandArgs<String, String> lettuce =
        new CommandArgs<>(StringCodec.UTF8)
            .add("sha")
            .add(2)
            .add("user_activity:u1")
            .add("grüße:ké|y")
            .add(-1)
            .add(Long.MAX_VALUE)
            .add(Long.MIN_VALUE)
            .add(0)
            .add(10)
            .add(-10)
            .add("")
            .add("Zürich")
            .add(longText)
            .add("0123456789");
    assertThat(ours.count()).isEqualTo(lettuce.count()).isEqualTo(14);
    assertThat(encoded(ours)).isEqualTo(encoded(lettuce));
    // Encoding twice (a command re-sent after a reconnect) writes the same bytes.
    assertThat(encoded(ours)).isEqualTo(encoded(ours));
  }

  private static String encoded(CommandArgs<String, String> args) {
    ByteBuf buf = Unpooled.buffer();
    args.encode(buf);
    return buf.toString(StandardCharsets.UTF_8);
  }
}
