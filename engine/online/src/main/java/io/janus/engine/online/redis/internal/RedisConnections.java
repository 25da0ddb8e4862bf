package io.janus.engine.online.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One connection to a standalone Redis or to a Redis Cluster, chosen by the URI's scheme: {@code
 * redis://} and {@code rediss://} (TLS) for one server, {@code redis-cluster://} and {@code
 * rediss-cluster://} for a cluster, given by one or more seed nodes ({@code
 * redis-cluster://janus@10.0.0.1:7000,10.0.0.2:7000}); user, password and TLS apply to every node.
 * A cluster connection routes each command by its key's slot, follows MOVED and ASK redirections,
 * and refreshes its view of the cluster when a node goes away or slots move (a failover).
 *
 * @param client the Lettuce client (shut down by {@link #close})
 * @param connection the connection
 * @param async its commands (cluster-wide for a cluster: SCAN walks every master)
 * @param cluster whether this is a cluster
 */
public record RedisConnections(
    AbstractRedisClient client,
    StatefulConnection<String, String> connection,
    RedisClusterAsyncCommands<String, String> async,
    boolean cluster) {

  /** Whether {@code uri} names a cluster ({@code redis-cluster://}, {@code rediss-cluster://}). */
  public static boolean isCluster(String uri) {
    String lower = uri.toLowerCase(Locale.ROOT);
    return lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://");
  }

  /**
   * The seed nodes of a cluster URI, each as a Lettuce {@link RedisURI} with the URI's user,
   * password and TLS.
   */
  public static List<RedisURI> seeds(String uri) {
    int schemeEnd = uri.indexOf("://");
    String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT).replace("-cluster", "");
    String rest = uri.substring(schemeEnd + 3);
    int at = rest.lastIndexOf('@');
    String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
    String hostsAndPath = rest.substring(at + 1);
    int slash = hostsAndPath.indexOf('/');
    String hosts = slash < 0 ? hostsAndPath : hostsAndPath.substring(0, slash);
    List<RedisURI> out = new ArrayList<>();
    for (String host : hosts.split(",")) {
      if (host.isBlank()) continue;
      out.add(RedisURI.create(scheme + "://" + userInfo + host.trim()));
    }
    if (out.isEmpty()) throw new IllegalArgumentException("a Redis Cluster URI without a node");
    return out;
  }

  /** The hosts of {@code uri} without user or password: {@code redis host:port,…} for messages. */
  public static String describe(String uri) {
    try {
      if (isCluster(uri)) {
        List<String> nodes = new ArrayList<>();
        for (RedisURI u : seeds(uri)) nodes.add(u.getHost() + ":" + u.getPort());
        return "redis cluster " + String.join(",", nodes);
      }
      RedisURI u = RedisURI.create(uri);
      return "redis " + u.getHost() + ":" + u.getPort() + "/" + u.getDatabase();
    } catch (RuntimeException e) {
      return "redis";
    }
  }

  /**
   * Connects, retrying with backoff for up to {@code patience} while the server is unreachable.
   *
   * @param uri a standalone or cluster URI
   * @param patience how long to wait for the first connection
   * @param options client options (null = Lettuce's defaults); for a cluster they are extended with
   *     topology refresh
   * @return the connection
   */
  public static RedisConnections open(String uri, Duration patience, ClientOptions options) {
    long deadline = System.nanoTime() + patience.toNanos();
    long backoff = 100;
    while (true) {
      try {
        return connect(uri, options);
      } catch (RedisConnectionException e) {
        if (System.nanoTime() + backoff * 1_000_000 > deadline) throw e;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private static RedisConnections connect(String uri, ClientOptions options) {
    if (!isCluster(uri)) {
      RedisClient client = RedisClient.create(RedisURI.create(uri));
      if (options != null) client.setOptions(options);
      try {
        StatefulRedisConnection<String, String> c = client.connect();
        return new RedisConnections(client, c, c.async(), false);
      } catch (RuntimeException e) {
        client.shutdown();
        throw e;
      }
    }
    RedisClusterClient client = RedisClusterClient.create(seeds(uri));
    ClusterClientOptions.Builder b =
        options == null ? ClusterClientOptions.builder() : ClusterClientOptions.builder(options);
    client.setOptions(
        b.topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    // A failover shows as MOVED redirections and lost connections: re-read the
                    // slots then, and every 30 s in case nothing was sent meanwhile.
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                    .enablePeriodicRefresh(Duration.ofSeconds(30))
                    .build())
            .build());
    try {
      StatefulRedisClusterConnection<String, String> c = client.connect();
      return new RedisConnections(client, c, c.async(), true);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /**
   * A connection to every server that holds keys: the server itself, or each master of a cluster
   * that serves slots and is not marked failed (Lettuce's cluster-wide SCAN would also try a failed
   * master, lettuce#2616). The cluster's view is refreshed first, so a failover that just happened
   * counts. The connections belong to this one: do not close them.
   */
  public List<StatefulRedisConnection<String, String>> masters() {
    if (!cluster) return List.of((StatefulRedisConnection<String, String>) connection);
    RedisClusterClient c = (RedisClusterClient) client;
    c.refreshPartitions();
    StatefulRedisClusterConnection<String, String> cc =
        (StatefulRedisClusterConnection<String, String>) connection;
    List<StatefulRedisConnection<String, String>> out = new ArrayList<>();
    for (RedisClusterNode node : c.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)
          && !node.is(RedisClusterNode.NodeFlag.FAIL)
          && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
          && !node.getSlots().isEmpty()) out.add(cc.getConnection(node.getNodeId()));
    }
    return out;
  }

  /**
   * The node id of the master that serves {@code slot} in the connection's current view of the
   * cluster, if it has at least one replica that is not marked failed; null otherwise, and always
   * for a standalone server.
   */
  public String replicatedMaster(int slot) {
    if (!cluster) return null;
    Partitions partitions =
        ((StatefulRedisClusterConnection<String, String>) connection).getPartitions();
    RedisClusterNode master = partitions.getPartitionBySlot(slot);
    if (master == null) return null;
    for (RedisClusterNode node : partitions) {
      if (master.getNodeId().equals(node.getSlaveOf())
          && !node.is(RedisClusterNode.NodeFlag.FAIL)
          && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) return master.getNodeId();
    }
    return null;
  }

  /** The slot of a key in a cluster; 0 for a standalone server, where every key shares one. */
  public int slot(String key) {
    return cluster ? SlotHash.getSlot(key) : 0;
  }

  /** Closes the connection and shuts the client down. */
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
