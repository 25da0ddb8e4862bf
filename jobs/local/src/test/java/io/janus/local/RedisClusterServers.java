package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of Debian's redis-server: three masters and three replicas on loopback, each
 * in a directory of its own with a password ({@code requirepass}, {@code masterauth}), joined with
 * {@code redis-cli --cluster create}, as an operator would. Node timeout 2 s, so a killed master's
 * replica takes over within seconds.
 */
final class RedisClusterServers implements AutoCloseable {
  final String password;
  final List<Integer> ports = new ArrayList<>();
  final List<Process> nodes = new ArrayList<>();
  private final Path dir;
  private final Path server;

  private RedisClusterServers(Path dir, Path server, String password) {
    this.dir = dir;
    this.server = server;
    this.password = password;
  }

  /** Starts six nodes and makes them a cluster of three masters with one replica each. */
  static RedisClusterServers start(Path dir, Path redisServer, String password) throws Exception {
    RedisClusterServers c = new RedisClusterServers(dir, redisServer, password);
    try {
      for (int i = 0; i < 6; i++) c.startNode(i);
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int p : c.ports) create.add("127.0.0.1:" + p);
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      c.cli(create);
      long deadline = System.currentTimeMillis() + 60_000;
      while (!c.allOk() || !c.replicasConnected()) {
        assertThat(System.currentTimeMillis())
            .as("cluster_state:ok on every node, every replica connected to its master")
            .isLessThan(deadline);
        Thread.sleep(200);
      }
      return c;
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
  }

  private void startNode(int i) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path node = Files.createDirectories(dir.resolve("node-" + i));
    Path conf =
        Files.writeString(
            node.resolve("redis.conf"),
            String.join(
                "\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + node,
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-node-timeout 2000",
                "appendonly yes",
                "save \"\"",
                "maxmemory-policy noeviction",
                "requirepass " + password,
                "masterauth " + password,
                ""));
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    Process p =
        new ProcessBuilder(server.toString(), conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(node.resolve("redis.log").toFile())
            .start();
    if (i < ports.size()) {
      ports.set(i, port);
      nodes.set(i, p);
    } else {
      ports.add(port);
      nodes.add(p);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        assertThat(p.isAlive()).as(Files.readString(node.resolve("redis.log"))).isTrue();
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** The cluster URI of Janus, seeded with every node, without the password. */
  String uri() {
    List<String> hosts = new ArrayList<>();
    for (int p : ports) hosts.add("127.0.0.1:" + p);
    return "redis-cluster://" + String.join(",", hosts);
  }

  /** Runs redis-cli with the password from the environment (never on its command line). */
  String cli(List<String> args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("REDISCLI_AUTH", password);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + "\n" + out).isZero();
    return out;
  }

  /** redis-cli against the node on {@code port}. */
  String cli(int port, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "" + port));
    args.addAll(List.of(command));
    return cli(args).trim();
  }

  private boolean allOk() throws Exception {
    for (int i = 0; i < ports.size(); i++) {
      if (!nodes.get(i).isAlive()) continue;
      if (!cli(ports.get(i), "cluster", "info").contains("cluster_state:ok")) return false;
    }
    return true;
  }

  /** Whether every live replica's link to its master is up ({@code ROLE} says connected). */
  private boolean replicasConnected() throws Exception {
    for (int i = 0; i < ports.size(); i++) {
      if (!nodes.get(i).isAlive()) continue;
      String[] role = cli(ports.get(i), "role").split("\\s+");
      if (role[0].equals("slave") && !role[3].equals("connected")) return false;
    }
    return true;
  }

  /** The ports of the nodes that are masters now (by {@code ROLE}), alive ones only. */
  List<Integer> masters() throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      if (!nodes.get(i).isAlive()) continue;
      if (cli(ports.get(i), "role").startsWith("master")) out.add(ports.get(i));
    }
    return out;
  }

  /** Keys per master now. */
  Map<Integer, Long> keysPerMaster() throws Exception {
    Map<Integer, Long> out = new java.util.TreeMap<>();
    for (int port : masters()) out.put(port, Long.parseLong(cli(port, "dbsize")));
    return out;
  }

  /** The port of the replica of the master on {@code masterPort} (by {@code ROLE}). */
  int replicaOf(int masterPort) throws Exception {
    for (int i = 0; i < ports.size(); i++) {
      if (!nodes.get(i).isAlive()) continue;
      String[] role = cli(ports.get(i), "role").split("\\s+");
      if (role[0].equals("slave") && Integer.parseInt(role[2]) == masterPort) return ports.get(i);
    }
    throw new AssertionError("no replica of " + masterPort);
  }

  /** Sends {@code signal} (STOP, CONT) to the node on {@code port}. */
  void signal(int port, String signal) throws Exception {
    long pid = nodes.get(ports.indexOf(port)).pid();
    assertThat(new ProcessBuilder("kill", "-" + signal, "" + pid).start().waitFor()).isZero();
  }

  /** Kills the node on {@code port} with SIGKILL: no shutdown, no last write to disk. */
  void kill(int port) throws Exception {
    Process p = nodes.get(ports.indexOf(port));
    p.destroyForcibly();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Waits until the live nodes agree that the cluster is whole again (a replica promoted). */
  void awaitOk(long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!allOk() || masters().size() < 3) {
      assertThat(System.currentTimeMillis()).as("failover done").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @Override
  public void close() {
    for (Process p : nodes) p.destroy();
    for (Process p : nodes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
