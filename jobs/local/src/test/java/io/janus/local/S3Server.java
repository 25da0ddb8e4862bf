package io.janus.local;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server for tests: s3proxy (org.gaul:s3proxy, copied to target/servers by the build)
 * in a JVM of its own, on a free port of 127.0.0.1, with generated credentials, keeping objects in
 * a directory (one sub-directory per bucket). Iceberg reaches it through {@code S3FileIO} and the
 * AWS SDK, exactly as it reaches AWS S3 or MinIO.
 */
final class S3Server implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path root;
  private final String accessKey;
  private final String secretKey;

  private S3Server(Process process, int port, Path root, String accessKey, String secretKey) {
    this.process = process;
    this.port = port;
    this.root = root;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Starts a server keeping its buckets under {@code dir}/s3, with {@code buckets} created. */
  static S3Server start(Path dir, String... buckets) throws Exception {
    Path jar = Path.of("target", "servers", "s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run mvn generate-test-resources first");
    }
    Path root = Files.createDirectories(dir.resolve("s3"));
    for (String b : buckets) Files.createDirectories(root.resolve(b));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HexFormat hex = HexFormat.of();
    String access = "janus" + hex.formatHex(new SecureRandom().generateSeed(4));
    String secret = hex.formatHex(new SecureRandom().generateSeed(20));
    Path conf = dir.resolve("s3proxy.properties");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + access,
            "s3proxy.credential=" + secret,
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + root,
            ""));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--properties",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3proxy.log").toFile())
            .start();
    S3Server server = new S3Server(p, port, root, access, secret);
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return server;
      } catch (java.io.IOException notYet) {
        if (!p.isAlive() || System.currentTimeMillis() > deadline) {
          server.close();
          throw new IllegalStateException(
              "s3proxy did not start: " + Files.readString(dir.resolve("s3proxy.log")));
        }
        Thread.sleep(100);
      }
    }
  }

  /** http://127.0.0.1:port */
  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The directory holding {@code bucket}'s objects. */
  Path bucket(String bucket) {
    return root.resolve(bucket);
  }

  /** The catalog properties of S3FileIO on this server (path-style access, its credentials). */
  Map<String, String> fileIoProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("s3.endpoint", endpoint());
    p.put("s3.path-style-access", "true");
    p.put("s3.access-key-id", accessKey);
    p.put("s3.secret-access-key", secretKey);
    p.put("client.region", "us-east-1");
    return p;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
