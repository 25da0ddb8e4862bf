package io.janus.engine.online.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.online.OnlineStoreFactory;
import org.junit.jupiter.api.Test;

/** The factory job graphs carry: it prints where the store is, never its credentials. */
class RedisStoreFactoryTest {
  @Test
  void printsTheServerWithoutUserOrPassword() {
    OnlineStoreFactory f = RedisOnlineStore.factory("redis://janus:s3cret@localhost:6390/2");
    assertThat(f.toString()).isEqualTo("redis localhost:6390/2").doesNotContain("s3cret");
    assertThat(RedisOnlineStore.factory("not a uri ::").toString()).isEqualTo("redis");
  }
}
